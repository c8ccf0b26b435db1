import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  ENVELOPE_TYP,
  RECEIPT_TYP,
  ReceiptSchema,
  signCanonical,
  verifyCanonical,
} from '../../src/modules/exchange/envelope.ts';
import type { CountersignNode } from '../../src/node.ts';
import { api, type TestUser } from './nodes.ts';

/** Drafts a package as `author`, has `approver` approve it and `author` send it; returns the sent package. */
export async function releasePackage(
  node: CountersignNode,
  author: TestUser,
  approver: TestUser,
  body: unknown,
): Promise<any> {
  const created = await api(node, author, 'POST', '/api/v1/packages', body);
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const approved = await api(node, approver, 'POST', `/api/v1/packages/${id}/approve`);
  if (approved.status !== 200) throw new Error(`approve failed: ${approved.status} ${JSON.stringify(approved.body)}`);
  const sent = await api(node, author, 'POST', `/api/v1/packages/${id}/send`);
  if (sent.status !== 200) throw new Error(`send failed: ${sent.status} ${JSON.stringify(sent.body)}`);
  return sent.body;
}

/** Reads a package through the API as `user`; undefined when the node does not have it. */
export async function readPackage(node: CountersignNode, user: TestUser, id: string): Promise<any> {
  const response = await api(node, user, 'GET', `/api/v1/packages/${id}`);
  return response.status === 200 ? response.body : undefined;
}

export async function count(node: CountersignNode, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await node.ctx.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${sql}`, params);
  return Number(rows[0]?.n ?? 0);
}

/** What the receiving node holds for a sender: enough to prove a rejected request stored nothing. */
export async function storedState(node: CountersignNode, sender: string) {
  const { rows } = await node.ctx.db.query<{ last_in_seq: string }>(
    'SELECT last_in_seq FROM channels WHERE peer = $1',
    [sender],
  );
  return {
    inbox: await count(node, 'inbox WHERE sender = $1', [sender]),
    lastInSeq: Number(rows[0]?.last_in_seq ?? 0),
    incomingPackages: await count(node, "packages WHERE direction = 'incoming'"),
  };
}

/** An envelope as a node would build it, with any field overridden. */
export function envelopeFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    v: 1,
    id: randomUUID(),
    from: 'US',
    to: 'CN',
    seq: 1,
    type: 'channel.ping',
    sentAt: new Date().toISOString(),
    body: {},
    ...overrides,
  };
}

export async function signEnvelope(
  fields: Record<string, unknown>,
  signer: { kid: string; key: KeyObject },
): Promise<string> {
  return (await signCanonical(fields, signer, ENVELOPE_TYP)).jws;
}

/** POSTs a raw body to the federation inbox through the real HTTP stack. */
export async function postToInbox(
  node: CountersignNode,
  payload: string | object,
  contentType = 'application/json',
): Promise<{ status: number; contentType: string; body: any }> {
  const response = await node.server.inject({
    method: 'POST',
    url: '/federation/v1/envelopes',
    headers: { 'content-type': contentType },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    body = response.body;
  }
  return { status: response.statusCode, contentType: String(response.headers['content-type'] ?? ''), body };
}

/** Verifies a receipt or rejection with the key `verifier` has pinned for its signer. */
export async function verifyReceiptFrom(verifier: CountersignNode, signerParty: string, jws: string) {
  const [header] = jws.split('.');
  const { kid } = JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')) as { kid: string };
  const key = verifier.keyring.peerKey(signerParty, kid, { allowRetired: true });
  if (!key) throw new Error(`${signerParty} key ${kid} is not pinned`);
  const { payload } = await verifyCanonical(jws, key, RECEIPT_TYP);
  return ReceiptSchema.parse(payload);
}

/** The JSON payload of a compact JWS, read without verifying (to inspect what was stored). */
export const jwsPayloadText = (jws: string): string =>
  Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8');

export const isoDate = (offsetDays: number): string =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
