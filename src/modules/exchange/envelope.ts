import type { KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import { DomainError } from '../../common/errors.ts';
import { sha256Hex } from '../../common/ids.ts';
import { PARTY_CODE } from '../../common/parties.ts';
import { storableDateTime } from '../../common/validation.ts';

export const ENVELOPE_TYP = 'countersign-envelope+jws';
export const RECEIPT_TYP = 'countersign-receipt+jws';

/** What travels between nodes: one message on one channel, at one sequence number. */
export const EnvelopeSchema = z.object({
  v: z.literal(1),
  id: z.uuid(),
  from: z.string().regex(PARTY_CODE),
  to: z.string().regex(PARTY_CODE),
  seq: z.number().int().positive(),
  type: z.string().regex(/^[a-z]+(\.[a-z_]+)*$/),
  sentAt: storableDateTime(),
  body: z.unknown(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

export const ReceiptSchema = z.object({
  v: z.literal(1),
  kind: z.enum(['receipt', 'rejection']),
  envelopeId: z.uuid().nullable(),
  from: z.string(),
  to: z.string(),
  seq: z.number().int().nullable(),
  contentHash: z.string().nullable(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  reason: z.string().optional(),
  at: z.iso.datetime(),
});
export type Receipt = z.infer<typeof ReceiptSchema>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** RFC 8785 canonical JSON: the signature covers bytes, so both sides must derive the same bytes. */
export function canonicalBytes(value: unknown): Uint8Array {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no canonical JSON form');
  return encoder.encode(text);
}

/**
 * Signs `payload` as a compact JWS (EdDSA over its canonical JSON). The content hash is the
 * SHA-256 of the canonical payload: equal on both sides for the same message.
 *
 * @example
 *   const { jws, contentHash } = await signCanonical(envelope, { kid, key }, ENVELOPE_TYP);
 *   // jws = "eyJhbGciOiJFZERTQSIs...": header.payload.signature, payload = canonical JSON
 */
export async function signCanonical(
  payload: unknown,
  signer: { kid: string; key: KeyObject },
  typ: string,
): Promise<{ jws: string; contentHash: string }> {
  const bytes = canonicalBytes(payload);
  const jws = await new CompactSign(bytes).setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ }).sign(signer.key);
  return { jws, contentHash: sha256Hex(bytes) };
}

/** Reads the key id and claimed sender of a JWS before verification, to find the pinned key. */
export function peekJws(jws: string): { kid: string; typ: string; from: string } {
  try {
    const header = decodeProtectedHeader(jws);
    const payloadPart = jws.split('.')[1] ?? '';
    const payload = JSON.parse(decoder.decode(Buffer.from(payloadPart, 'base64url'))) as { from?: unknown };
    if (typeof header.kid !== 'string' || typeof payload.from !== 'string' || header.alg !== 'EdDSA') throw new Error();
    return { kid: header.kid, typ: String(header.typ ?? ''), from: payload.from };
  } catch {
    throw new DomainError(
      'envelope_invalid',
      'not a compact JWS with alg EdDSA, a kid and a JSON payload naming its sender',
    );
  }
}

/** Verifies a JWS with `key` and returns its payload bytes' JSON and content hash. @throws DomainError */
export async function verifyCanonical(
  jws: string,
  key: KeyObject,
  typ: string,
): Promise<{ payload: unknown; contentHash: string }> {
  let result;
  try {
    result = await compactVerify(jws, key, { algorithms: ['EdDSA'] });
  } catch {
    throw new DomainError('envelope_signature_invalid', 'signature does not verify with the pinned key');
  }
  if (result.protectedHeader.typ !== typ) {
    throw new DomainError('envelope_invalid', `expected typ ${typ}, got ${String(result.protectedHeader.typ)}`);
  }
  const text = decoder.decode(result.payload);
  const payload: unknown = JSON.parse(text);
  // Only the canonical form is accepted, so the content hash is the same for every reader.
  if (canonicalize(payload) !== text)
    throw new DomainError('envelope_invalid', 'payload is not RFC 8785 canonical JSON');
  return { payload, contentHash: sha256Hex(result.payload) };
}
