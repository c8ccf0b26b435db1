import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountersignNode } from '../../node.ts';
import { generateSigningKey, privateKeyObject } from '../parties/keys.ts';
import { addPeer, getIdentity } from '../parties/parties.service.ts';
import {
  addUser,
  eventually,
  samplePackage,
  startFederation,
  startTestNode,
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
import { ENVELOPE_TYP, RECEIPT_TYP, signCanonical } from './envelope.ts';

let fed: Federation;
let us: CountersignNode;
let cn: CountersignNode;
let liu: TestUser;
/** The package US sent for real in beforeAll, as CN stored its envelope. */
let delivered: { packageId: string; jws: string; receiptJws: string; seq: number };

beforeAll(async () => {
  fed = await startFederation();
  ({ us, cn } = fed);
  liu = await addUser(us, 'liu', ['liaison']);
  const sent = await releasePackage(us, fed.usLiaison, liu, samplePackage({ title: 'Reference package' }));
  await eventually(() => readPackage(cn, fed.cnLiaison, sent.id), 20_000, 'CN to receive the reference package');
  const row = (
    await cn.ctx.db.query<{ jws: string; receipt_jws: string; seq: string }>(
      "SELECT jws, receipt_jws, seq FROM inbox WHERE sender = 'US' AND type = 'package'",
    )
  ).rows[0];
  if (!row) throw new Error('reference envelope missing');
  delivered = { packageId: sent.id, jws: row.jws, receiptJws: row.receipt_jws, seq: Number(row.seq) };
  // Let the sender settle its receipt, so nothing is in flight while envelopes are crafted by hand.
  await eventually(async () => (await us.exchange.channelStatus('CN')).pendingOut === 0, 20_000, 'US outbox idle');
});
afterAll(() => fed?.close());

const nextSeq = async () => (await storedState(cn, 'US')).lastInSeq + 1;
const usSigner = () => us.keyring.signingKey();

/**
 * Posts `payload` to CN's inbox and checks the common contract of every refusal: the status, a
 * problem+json body with the code, and nothing stored. Returns the problem.
 */
async function expectRefused(
  payload: string | object,
  expected: { status: number; code?: string },
  contentType = 'application/json',
) {
  const before = await storedState(cn, 'US');
  const response = await postToInbox(cn, payload, contentType);
  expect(response.status).toBe(expected.status);
  expect(response.contentType).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status: expected.status, ...(expected.code ? { code: expected.code } : {}) });
  expect(typeof response.body.detail).toBe('string');
  expect(await storedState(cn, 'US')).toEqual(before);
  return response.body as { code: string; detail: string; rejection?: string; [k: string]: unknown };
}

/** A refusal from a known peer carries a rejection signed by CN, addressed to US, with the reason. */
async function expectSignedRejection(problem: { code: string; rejection?: string }) {
  expect(problem.rejection).toEqual(expect.any(String));
  const rejection = await verifyReceiptFrom(us, 'CN', problem.rejection ?? '');
  expect(rejection).toMatchObject({ kind: 'rejection', status: 'rejected', from: 'CN', to: 'US', contentHash: null });
  expect(rejection.reason).toMatch(new RegExp(`^${problem.code}: `));
  return rejection;
}

function tamperPayload(jws: string, edit: (payload: string) => string): string {
  const [header, payload, signature] = jws.split('.');
  const text = Buffer.from(payload ?? '', 'base64url').toString('utf8');
  return [header, Buffer.from(edit(text), 'utf8').toString('base64url'), signature].join('.');
}

describe('federation inbox: authenticity', () => {
  it('rejects an envelope whose payload was changed after signing (401, signed rejection, nothing stored)', async () => {
    const jws = await signEnvelope(
      envelopeFields({ seq: await nextSeq(), type: 'package.close', body: { packageId: delivered.packageId } }),
      usSigner(),
    );
    const tampered = tamperPayload(jws, (text) => text.replace('package.close', 'package.retr'));
    expect(tampered).not.toBe(jws);
    const problem = await expectRefused({ envelopes: [tampered] }, { status: 401, code: 'envelope_signature_invalid' });
    await expectSignedRejection(problem);
  });

  it('rejects an envelope with one signature byte flipped', async () => {
    const jws = await signEnvelope(envelopeFields({ seq: await nextSeq() }), usSigner());
    const [header, payload, signature] = jws.split('.');
    const bytes = Buffer.from(signature ?? '', 'base64url');
    bytes[10] = (bytes[10] ?? 0) ^ 0x01;
    const flipped = [header, payload, bytes.toString('base64url')].join('.');
    await expectRefused({ envelopes: [flipped] }, { status: 401, code: 'envelope_signature_invalid' });
  });

  it('rejects an envelope signed with a key that is not pinned for the sender (401)', async () => {
    const stranger = await generateSigningKey('US');
    const jws = await signEnvelope(envelopeFields({ seq: await nextSeq() }), {
      kid: stranger.kid,
      key: privateKeyObject(stranger.privateJwk),
    });
    const problem = await expectRefused({ envelopes: [jws] }, { status: 401, code: 'envelope_unknown_key' });
    expect(problem.detail).toContain(stranger.kid);
    await expectSignedRejection(problem);
  });

  it('rejects an envelope signed with a pinned key id but another party’s key material', async () => {
    const stranger = await generateSigningKey('US');
    const jws = await signEnvelope(envelopeFields({ seq: await nextSeq() }), {
      kid: usSigner().kid,
      key: privateKeyObject(stranger.privateJwk),
    });
    await expectRefused({ envelopes: [jws] }, { status: 401, code: 'envelope_signature_invalid' });
  });

  it('rejects an envelope from a party that is not a peer, without signing anything for it', async () => {
    const mx = await generateSigningKey('MX');
    const jws = await signEnvelope(envelopeFields({ from: 'MX', seq: 1 }), {
      kid: mx.kid,
      key: privateKeyObject(mx.privateJwk),
    });
    const problem = await expectRefused({ envelopes: [jws] }, { status: 401, code: 'envelope_unknown_key' });
    expect(problem.rejection).toBeUndefined();
  });

  it('rejects a US-signed envelope claiming to come from another party', async () => {
    const jws = await signEnvelope(envelopeFields({ from: 'MX', seq: await nextSeq() }), usSigner());
    await expectRefused({ envelopes: [jws] }, { status: 401, code: 'envelope_unknown_key' });
  });

  it('rejects an envelope addressed to another party (400, signed rejection)', async () => {
    const jws = await signEnvelope(envelopeFields({ to: 'MX', seq: await nextSeq() }), usSigner());
    const problem = await expectRefused({ envelopes: [jws] }, { status: 400, code: 'envelope_invalid' });
    expect(problem.detail).toContain('MX');
    await expectSignedRejection(problem);
  });

  it('rejects a payload that is signed but not canonical JSON', async () => {
    const fields = envelopeFields({ seq: await nextSeq() });
    const spaced = new TextEncoder().encode(JSON.stringify(fields, null, 2));
    const signer = usSigner();
    const jws = await new CompactSign(spaced)
      .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: ENVELOPE_TYP })
      .sign(signer.key);
    const problem = await expectRefused({ envelopes: [jws] }, { status: 400, code: 'envelope_invalid' });
    expect(problem.detail).toContain('canonical');
  });

  it('rejects a signed receipt posted as an envelope (wrong typ)', async () => {
    const { jws } = await signCanonical(envelopeFields({ seq: await nextSeq() }), usSigner(), RECEIPT_TYP);
    await expectRefused({ envelopes: [jws] }, { status: 400, code: 'envelope_invalid' });
  });

  it('rejects a signed envelope with missing or mistyped fields, naming the problem', async () => {
    for (const fields of [
      envelopeFields({ seq: 0 }),
      envelopeFields({ seq: 1.5 }),
      envelopeFields({ id: 'not-a-uuid' }),
      envelopeFields({ v: 2 }),
      envelopeFields({ type: 'Package!' }),
      envelopeFields({ sentAt: 'yesterday' }),
    ]) {
      const jws = await signEnvelope(fields, usSigner());
      await expectRefused({ envelopes: [jws] }, { status: 400, code: 'envelope_invalid' });
    }
  });
});

describe('federation inbox: sequence and idempotency', () => {
  it('answers a redelivered envelope with its original receipt and stores it once', async () => {
    const before = await storedState(cn, 'US');
    const response = await postToInbox(cn, { envelopes: [delivered.jws] });
    expect(response.status).toBe(200);
    expect(response.body.receipts).toEqual([delivered.receiptJws]);
    const receipt = await verifyReceiptFrom(us, 'CN', response.body.receipts[0]);
    expect(receipt).toMatchObject({ kind: 'receipt', status: 'accepted', seq: delivered.seq, to: 'US' });
    expect(await storedState(cn, 'US')).toEqual(before);
    const again = await postToInbox(cn, { envelopes: [delivered.jws, delivered.jws] });
    expect(again.body.receipts).toEqual([delivered.receiptJws, delivered.receiptJws]);
    expect(await storedState(cn, 'US')).toEqual(before);
  });

  it('rejects a used sequence number under a new envelope id as a replay (409, signed rejection)', async () => {
    const jws = await signEnvelope(envelopeFields({ seq: delivered.seq }), usSigner());
    const problem = await expectRefused({ envelopes: [jws] }, { status: 409, code: 'envelope_replayed' });
    const rejection = await expectSignedRejection(problem);
    expect(rejection.seq).toBe(delivered.seq);
  });

  it('rejects a known envelope id carrying other content as a replay', async () => {
    const original = JSON.parse(Buffer.from(delivered.jws.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const jws = await signEnvelope({ ...original, sentAt: new Date().toISOString() }, usSigner());
    await expectRefused({ envelopes: [jws] }, { status: 409, code: 'envelope_replayed' });
  });

  it('rejects a sequence gap as out of order, saying which sequence it expects', async () => {
    const expected = await nextSeq();
    const jws = await signEnvelope(envelopeFields({ seq: expected + 1 }), usSigner());
    const problem = await expectRefused({ envelopes: [jws] }, { status: 409, code: 'envelope_out_of_order' });
    expect(problem.expectedSeq).toBe(expected);
    await expectSignedRejection(problem);
  });

  it('stores nothing of a batch when a later envelope in it is bad', async () => {
    const seq = await nextSeq();
    const good = await signEnvelope(envelopeFields({ seq }), usSigner());
    const gap = await signEnvelope(envelopeFields({ seq: seq + 2 }), usSigner());
    await expectRefused({ envelopes: [good, gap] }, { status: 409, code: 'envelope_out_of_order' });
    const forged = tamperPayload(await signEnvelope(envelopeFields({ seq: seq + 1 }), usSigner()), (t) =>
      t.replace('"body":{}', '"body":{"x":1}'),
    );
    await expectRefused({ envelopes: [good, forged] }, { status: 401, code: 'envelope_signature_invalid' });
  });
});

describe('federation inbox: malformed requests', () => {
  it('rejects malformed JSON with 400', async () => {
    await expectRefused('{"envelopes": ["abc"', { status: 400 });
  });

  it('rejects a body of the wrong content type', async () => {
    await expectRefused(JSON.stringify({ envelopes: [delivered.jws] }), { status: 400 }, 'text/plain');
    const xml = await postToInbox(cn, '<envelopes/>', 'application/xml');
    expect(xml.status).toBe(415);
    expect(xml.contentType).toMatch(/^application\/problem\+json/);
  });

  it('rejects bodies of the wrong shape, naming the field', async () => {
    for (const body of [{}, { envelopes: [] }, { envelopes: 'abc' }, { envelopes: [42] }, [], null]) {
      const problem = await expectRefused(body ?? 'null', { status: 400, code: 'validation_failed' });
      expect(problem.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.any(String) })]));
    }
    const extra = await expectRefused({ envelopes: [delivered.jws], sneaky: true }, { status: 400 });
    expect(JSON.stringify(extra.issues)).toContain('sneaky');
  });

  it('rejects strings that are not compact JWS', async () => {
    for (const junk of [
      '',
      'abc',
      'a.b.c',
      '..',
      `${delivered.jws}.extra`,
      delivered.jws.split('.').reverse().join('.'),
    ]) {
      await expectRefused({ envelopes: [junk] }, { status: 400 });
    }
  });
});

describe('federation inbox: body limit', () => {
  let small: CountersignNode;
  beforeAll(async () => {
    small = await startTestNode('CN', { http: { host: '127.0.0.1', port: 0, bodyLimit: 16 * 1024 } });
    const usIdentity = await getIdentity(us.ctx.db);
    await addPeer(
      small.ctx,
      small.keyring,
      { kind: 'system' },
      {
        party: 'US',
        names: usIdentity.names,
        url: 'http://127.0.0.1:9',
        keys: usIdentity.keys.map(({ kid, publicJwk }) => ({ kid, publicJwk })),
      },
    );
  });
  afterAll(() => small?.close());

  it('refuses a body over the configured limit with 413 problem+json, even from a pinned peer', async () => {
    const padded = await signEnvelope(envelopeFields({ seq: 1, body: { padding: 'x'.repeat(20 * 1024) } }), usSigner());
    const before = await storedState(small, 'US');
    const response = await postToInbox(small, { envelopes: [padded] });
    expect(response.status).toBe(413);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(await storedState(small, 'US')).toEqual(before);
    // The same envelope under the limit is taken in: the size alone was refused.
    const slim = await signEnvelope(envelopeFields({ seq: 1 }), usSigner());
    expect((await postToInbox(small, { envelopes: [slim] })).status).toBe(200);
    expect((await storedState(small, 'US')).inbox).toBe(before.inbox + 1);
  });
});
