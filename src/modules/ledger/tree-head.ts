import type { KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import { decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import { DomainError } from '../../common/errors.ts';
import { PARTY_CODE } from '../../common/parties.ts';
import { storableDateTime } from '../../common/validation.ts';
import { signCanonical, verifyCanonical } from '../exchange/envelope.ts';

/** A node's signature over its own tree head. */
export const TREE_HEAD_TYP = 'countersign-tree-head+jws';
/**
 * The peer's signature over the same head. Its own typ, so that neither signature can be passed
 * off as the other even though both cover the same bytes.
 */
export const COUNTERSIGNATURE_TYP = 'countersign-tree-head-countersignature+jws';

export const MSG_TREE_HEAD = 'ledger.tree_head';
export const MSG_COUNTERSIGNATURE = 'ledger.countersignature';

const HexHash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash in lower-case hex');

/** A signed tree head: the log of party `log` had `treeSize` leaves with root `rootHash` at `timestamp`. */
export const TreeHeadSchema = z.strictObject({
  v: z.literal(1),
  log: z.string().regex(PARTY_CODE),
  treeSize: z.number().int().positive(),
  rootHash: HexHash,
  timestamp: storableDateTime(),
});
export type TreeHead = z.infer<typeof TreeHeadSchema>;

/** What a node sends its peer with each new head. */
export const TreeHeadMessageSchema = z.strictObject({
  head: z.string().min(1),
  /** From the latest of the sender's heads the recipient countersigned, if any. */
  consistency: z.strictObject({ fromSize: z.number().int().positive(), proof: z.array(HexHash) }).optional(),
});

export const CountersignatureMessageSchema = z.strictObject({
  treeSize: z.number().int().positive(),
  countersignature: z.string().min(1),
});

/** The key id in a JWS header, read before verification to find the key. @throws DomainError */
export function jwsKid(jws: string): string {
  try {
    const { kid, alg } = decodeProtectedHeader(jws);
    if (typeof kid === 'string' && alg === 'EdDSA') return kid;
  } catch {
    // Falls through to the error below.
  }
  throw new DomainError('validation_failed', 'not a compact JWS with alg EdDSA and a kid');
}

export async function signTreeHead(
  head: TreeHead,
  signer: { kid: string; key: KeyObject },
  typ: typeof TREE_HEAD_TYP | typeof COUNTERSIGNATURE_TYP,
): Promise<string> {
  return (await signCanonical(head, signer, typ)).jws;
}

/**
 * Verifies a head or countersignature JWS with `key` and returns the head it signs.
 * @throws DomainError validation_failed (a bad signature here is bad content, not a bad envelope)
 */
export async function verifyTreeHead(
  jws: string,
  key: KeyObject,
  typ: typeof TREE_HEAD_TYP | typeof COUNTERSIGNATURE_TYP,
): Promise<TreeHead> {
  let payload: unknown;
  try {
    ({ payload } = await verifyCanonical(jws, key, typ));
  } catch (error) {
    throw new DomainError('validation_failed', `${typ}: ${(error as Error).message}`);
  }
  const parsed = TreeHeadSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError('validation_failed', `tree head ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

/** Whether two heads are the same statement, byte for byte as signed. */
export const sameHead = (a: TreeHead, b: TreeHead): boolean => canonicalize(a) === canonicalize(b);
