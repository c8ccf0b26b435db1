import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountersignNode } from '../../node.ts';
import { ENVELOPE_TYP, verifyCanonical } from '../exchange/envelope.ts';
import {
  addUser,
  api,
  eventually,
  samplePackage,
  startFederation,
  type Federation,
  type TestUser,
} from '../../../test/support/nodes.ts';
import {
  envelopeFields,
  postToInbox,
  readPackage,
  releasePackage,
  signEnvelope,
  storedState,
  verifyReceiptFrom,
} from '../../../test/support/flows.ts';
import { privateKeyObject } from './keys.ts';

let fed: Federation;
let us: CountersignNode;
let cn: CountersignNode;
let usAdmin: TestUser;
let cnAdmin: TestUser;
let liu: TestUser;
let zhao: TestUser;

beforeAll(async () => {
  fed = await startFederation();
  ({ us, cn } = fed);
  [usAdmin, cnAdmin, liu, zhao] = await Promise.all([
    addUser(us, 'root', ['admin']),
    addUser(cn, 'root', ['admin']),
    addUser(us, 'liu', ['liaison']),
    addUser(cn, 'zhao', ['liaison']),
  ]);
});
afterAll(() => fed?.close());

const kidOf = (jws: string) =>
  (JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid: string }).kid;

async function ownPrivateJwk(node: CountersignNode, kid: string) {
  const { rows } = await node.ctx.db.query<{ private_jwk: Record<string, string> }>(
    'SELECT private_jwk FROM signing_keys WHERE kid = $1',
    [kid],
  );
  if (!rows[0]) throw new Error(`no key ${kid}`);
  return rows[0].private_jwk;
}

async function inboxEnvelope(node: CountersignNode, packageId: string) {
  const { rows } = await node.ctx.db.query<{ jws: string; receipt_jws: string }>(
    "SELECT jws, receipt_jws FROM inbox WHERE type = 'package' ORDER BY seq",
  );
  const row = rows.find((r) =>
    Buffer.from(r.jws.split('.')[1] ?? '', 'base64url')
      .toString()
      .includes(packageId),
  );
  if (!row) throw new Error(`no stored envelope for ${packageId}`);
  return row;
}

describe('signing key rotation', () => {
  it('lets the peer follow a rotation and keeps what the old key signed verifiable', async () => {
    const before = await releasePackage(us, fed.usLiaison, liu, samplePackage({ title: 'Before rotation' }));
    await eventually(() => readPackage(cn, fed.cnLiaison, before.id), 20_000, 'CN to receive the first package');
    const oldKid = us.keyring.signingKey().kid;

    const rotated = await api(us, usAdmin, 'POST', '/api/v1/node/keys/rotate');
    expect(rotated.status).toBe(200);
    const newKid = rotated.body.kid as string;
    expect(newKid).toMatch(/^US:/);
    expect(newKid).not.toBe(oldKid);
    const identity = await api(us, usAdmin, 'GET', '/api/v1/node');
    expect(identity.body.keys).toEqual([
      expect.objectContaining({ kid: oldKid, retiredAt: expect.any(String) }),
      expect.objectContaining({ kid: newKid, retiredAt: null }),
    ]);

    // Sent right after the rotation: it travels behind the key announcement, signed with the new key.
    const after = await releasePackage(us, fed.usLiaison, liu, samplePackage({ title: 'After rotation' }));
    const received = await eventually(
      () => readPackage(cn, fed.cnLiaison, after.id),
      20_000,
      'CN to accept a package signed with the new key',
    );
    expect(received.contentHash).toBe(after.contentHash);
    expect(kidOf((await inboxEnvelope(cn, after.id)).jws)).toBe(newKid);

    const peers = await api(cn, cnAdmin, 'GET', '/api/v1/peers');
    const usKeys = peers.body.find((p: { party: string }) => p.party === 'US').keys;
    expect(usKeys).toEqual([
      expect.objectContaining({ kid: oldKid, retiredAt: expect.any(String) }),
      expect.objectContaining({ kid: newKid, retiredAt: null }),
    ]);

    // The record stays verifiable: the old envelope checks out with the retired key, which no longer signs for US.
    const old = await inboxEnvelope(cn, before.id);
    expect(kidOf(old.jws)).toBe(oldKid);
    expect(cn.keyring.peerKey('US', oldKid, { allowRetired: false })).toBeUndefined();
    const retiredKey = cn.keyring.peerKey('US', oldKid, { allowRetired: true });
    expect(retiredKey).toBeDefined();
    const verified = await verifyCanonical(old.jws, retiredKey!, ENVELOPE_TYP);
    expect(JSON.stringify(verified.payload)).toContain(before.id);
    await expect(
      verifyCanonical(old.jws, cn.keyring.peerKey('US', newKid, { allowRetired: false })!, ENVELOPE_TYP),
    ).rejects.toMatchObject({ code: 'envelope_signature_invalid' });
    // A resend of what the old key signed (its receipt lost) still gets its receipt; anything new under it is refused.
    const resent = await postToInbox(cn, { envelopes: [old.jws] });
    expect(resent.status).toBe(200);
    expect(resent.body.receipts).toEqual([old.receipt_jws]);
    const oldSigner = { kid: oldKid, key: privateKeyObject(await ownPrivateJwk(us, oldKid)) };
    const fresh = await signEnvelope(envelopeFields({ seq: (await storedState(cn, 'US')).lastInSeq + 1 }), oldSigner);
    const refused = await postToInbox(cn, { envelopes: [fresh] });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('envelope_unknown_key');
    // US can still verify the receipts CN gave it before the rotation.
    const { rows } = await us.ctx.db.query<{ receipt_jws: string }>('SELECT receipt_jws FROM outbox WHERE ref = $1', [
      before.id,
    ]);
    expect((await verifyReceiptFrom(us, 'CN', rows[0]?.receipt_jws ?? '')).status).toBe('accepted');
  });

  it('keeps the channel working both ways after both sides rotate', async () => {
    const cnRotated = await api(cn, cnAdmin, 'POST', '/api/v1/node/keys/rotate');
    expect(cnRotated.status).toBe(200);
    const usRotated = await api(us, usAdmin, 'POST', '/api/v1/node/keys/rotate');
    expect(usRotated.status).toBe(200);
    const toCn = await releasePackage(us, fed.usLiaison, liu, samplePackage({ title: 'US after double rotation' }));
    const toUs = await releasePackage(
      cn,
      fed.cnLiaison,
      zhao,
      samplePackage({ recipient: 'US', title: 'CN after double rotation' }),
    );
    await eventually(() => readPackage(cn, fed.cnLiaison, toCn.id), 20_000, 'CN to receive');
    await eventually(() => readPackage(us, fed.usLiaison, toUs.id), 20_000, 'US to receive');
    await eventually(
      async () => (await readPackage(us, fed.usLiaison, toCn.id))?.status === 'delivered',
      20_000,
      'US to hold a verified receipt from CN’s new key',
    );
  });

  it('delivers a key announcement and the messages signed after it even when they were queued together', async () => {
    // CN suspends the channel, so US holds the announcement and the next package in one queue.
    expect((await api(cn, cnAdmin, 'POST', '/api/v1/channels/US/suspend', { reason: 'maintenance' })).status).toBe(200);
    await eventually(
      async () => (await us.exchange.channelStatus('CN')).suspendedByPeer,
      20_000,
      'US to learn of the suspension',
    );
    const rotated = await api(us, usAdmin, 'POST', '/api/v1/node/keys/rotate');
    const queued = await releasePackage(us, fed.usLiaison, liu, samplePackage({ title: 'Queued behind the key' }));
    const pending = await us.ctx.db.query<{ type: string }>(
      "SELECT type FROM outbox WHERE peer = 'CN' AND status = 'pending' ORDER BY seq",
    );
    expect(pending.rows.map((r) => r.type)).toEqual(['key.rotated', 'package']);
    expect((await api(cn, cnAdmin, 'POST', '/api/v1/channels/US/resume')).status).toBe(200);
    const received = await eventually(
      () => readPackage(cn, fed.cnLiaison, queued.id),
      20_000,
      'CN to accept the package queued behind the announcement',
    );
    expect(received.contentHash).toBe(queued.contentHash);
    expect(kidOf((await inboxEnvelope(cn, queued.id)).jws)).toBe(rotated.body.kid);
  });

  it('refuses a rotation by a user who is not an administrator', async () => {
    const response = await api(us, fed.usLiaison, 'POST', '/api/v1/node/keys/rotate');
    expect(response.status).toBe(403);
  });
});
