import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountersignNode } from '../../src/node.ts';
import { startFederation, type Federation } from '../support/nodes.ts';
import { envelopeFields, postToInbox, signEnvelope, storedState } from '../support/flows.ts';

/**
 * Property-based fuzzing of the federation inbox: whatever arrives, the node answers 200 with
 * receipts or a 4xx problem+json, never a 5xx, and its channel record stays consistent.
 */

let fed: Federation;
let cn: CountersignNode;
let us: CountersignNode;

beforeAll(async () => {
  fed = await startFederation();
  ({ us, cn } = fed);
});
afterAll(() => fed?.close());

const RUNS = 150;

async function expectWellFormedAnswer(response: { status: number; contentType: string; body: any }, sent: unknown) {
  const context = JSON.stringify(sent).slice(0, 500);
  expect(response.status, context).toBeLessThan(500);
  if (response.status >= 400) {
    expect(response.contentType, context).toMatch(/^application\/problem\+json/);
    expect(response.body, context).toMatchObject({ status: response.status, code: expect.any(String) });
  } else {
    expect(response.status, context).toBe(200);
    expect(Array.isArray(response.body.receipts), context).toBe(true);
  }
}

const nextSeq = async () => (await storedState(cn, 'US')).lastInSeq + 1;
const usSigner = () => us.keyring.signingKey();

const MESSAGE_TYPES = [
  'package',
  'package.ack',
  'package.close',
  'package.retract',
  'channel.suspend',
  'channel.resume',
  'key.rotated',
] as const;

/** A valid wire package from US to CN, for mutation. */
const wirePackage = (id: string) => ({
  id,
  kind: 'intelligence',
  originParty: 'US',
  recipient: 'CN',
  title: 'Fuzzed package',
  marking: { tlp: 'AMBER', releasableTo: ['US', 'CN'] },
  grade: { source: 'B', info: '2' },
  dueDate: null,
  inReplyTo: null,
  createdAt: new Date().toISOString(),
  narrative: { text: 'text', marking: { tlp: 'AMBER', releasableTo: ['US', 'CN'] } },
  entities: [
    {
      id: 'p1',
      schema: 'Person',
      properties: { name: ['Li Wei'] },
      marking: { tlp: 'AMBER', releasableTo: ['US', 'CN'] },
    },
  ],
  attachments: [],
});

const wireKeys = Object.keys(wirePackage('x'));

/** Dates and timestamps across the whole four-digit range, year 0000 included. */
const year = fc
  .oneof(
    { weight: 3, arbitrary: fc.constantFrom(0, 1, 1969, 1970, 2038, 9999) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 9999 }) },
  )
  .map((y) => String(y).padStart(4, '0'));
const isoEdges = fc.oneof(
  year.map((y) => `${y}-01-01`),
  year.map((y) => `${y}-12-31T23:59:59.999Z`),
  fc.constantFrom('2024-02-29', '2023-02-29', '2024-13-01', '2024-01-01T24:00:00Z'),
);
const anyValue = fc.oneof({ weight: 3, arbitrary: fc.jsonValue() }, { weight: 1, arbitrary: isoEdges });

/** A few package ids shared by packages and status messages, so messages meet the packages they name. */
const packageId = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...Array.from({ length: 5 }, () => randomUUID())) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.jsonValue()) },
);

const packageBody = fc.oneof(
  { weight: 2, arbitrary: fc.uuid().map((id) => ({ package: wirePackage(id) })) },
  // A valid package with one field replaced by anything at all, or left out.
  {
    weight: 4,
    arbitrary: fc
      .tuple(packageId, fc.constantFrom(...wireKeys), anyValue, fc.boolean())
      .map(([id, key, value, drop]) => {
        const pkg: Record<string, unknown> = wirePackage(typeof id === 'string' ? id : randomUUID());
        if (drop) delete pkg[key];
        else pkg[key] = key === 'id' ? id : value;
        return { package: pkg };
      }),
  },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => ({ package: value })) },
);

const typedMessage = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('package'), body: packageBody }) },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constantFrom('package.ack', 'package.close', 'package.retract'),
      body: fc.record({ packageId, reason: fc.oneof(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constantFrom('channel.suspend', 'channel.resume'),
      body: fc.record({ reason: fc.oneof(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('key.rotated'),
      body: fc.record({ kid: fc.oneof(fc.string(), fc.jsonValue()), publicJwk: fc.jsonValue() }, { requiredKeys: [] }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.oneof(fc.constantFrom(...MESSAGE_TYPES), fc.string()),
      body: fc.oneof(fc.jsonValue(), fc.constant(null)),
    }),
  },
);

describe('federation inbox under fuzzing', () => {
  it('answers arbitrary JSON bodies with 4xx problem+json or receipts, never 5xx', async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({ envelopes: fc.jsonValue() }),
      fc.record({ envelopes: fc.array(fc.oneof(fc.string(), fc.jsonValue()), { maxLength: 5 }) }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        await expectWellFormedAnswer(await postToInbox(cn, JSON.stringify(payload) ?? 'null'), payload);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers arbitrary bytes and content types with 4xx, never 5xx', async () => {
    const raw = fc.tuple(
      fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.json().map((j) => j.slice(0, -1)),
      ),
      fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'application/json; charset=latin1'),
    );
    await fc.assert(
      fc.asyncProperty(raw, async ([payload, contentType]) => {
        await expectWellFormedAnswer(await postToInbox(cn, payload, contentType), payload);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers random strings posted as envelopes with 4xx, never 5xx', async () => {
    const segment = fc.oneof(fc.string(), fc.base64String(), fc.stringMatching(/^[A-Za-z0-9_-]{0,120}$/));
    const jwsLike = fc.oneof(
      fc.string(),
      fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.')),
      fc
        .record({ header: fc.jsonValue(), payload: fc.jsonValue(), signature: segment })
        .map(({ header, payload, signature }) =>
          [JSON.stringify(header), JSON.stringify(payload)]
            .map((part) => Buffer.from(part ?? '').toString('base64url'))
            .concat(signature)
            .join('.'),
        ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(jwsLike, { minLength: 1, maxLength: 3 }), async (envelopes) => {
        const before = await storedState(cn, 'US');
        const response = await postToInbox(cn, { envelopes });
        await expectWellFormedAnswer(response, envelopes);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(await storedState(cn, 'US')).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects mutated signed envelopes (bit flips, truncation, swapped segments) without storing them', async () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('swap' as const),
        order: fc.constantFrom([1, 0, 2], [0, 2, 1], [2, 1, 0], [0, 1, 1], [0, 0, 2], [1, 2, 0]),
      }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        text: fc.string({ minLength: 1, maxLength: 4 }),
      }),
    );
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    await fc.assert(
      fc.asyncProperty(mutation, fc.jsonValue(), async (m, body) => {
        const valid = await signEnvelope(
          envelopeFields({ seq: await nextSeq(), type: 'fuzz.probe', body }),
          usSigner(),
        );
        let mutated: string;
        switch (m.kind) {
          case 'flip': {
            const i = m.at % valid.length;
            const replaced = ALPHABET[(ALPHABET.indexOf(valid[i] ?? 'A') ^ (1 << m.bit)) % ALPHABET.length] ?? 'A';
            mutated = valid.slice(0, i) + replaced + valid.slice(i + 1);
            break;
          }
          case 'truncate':
            mutated = valid.slice(0, m.at % valid.length);
            break;
          case 'swap': {
            const parts = valid.split('.');
            mutated = m.order.map((i) => parts[i]).join('.');
            break;
          }
          case 'insert': {
            const i = m.at % valid.length;
            mutated = valid.slice(0, i) + m.text + valid.slice(i);
            break;
          }
        }
        const before = await storedState(cn, 'US');
        const response = await postToInbox(cn, { envelopes: [mutated] });
        await expectWellFormedAnswer(response, { m, mutated });
        if (mutated !== valid && response.status !== 200) {
          expect(await storedState(cn, 'US')).toEqual(before);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('takes in or refuses arbitrary envelopes signed with the pinned key, never 5xx', async () => {
    const fields = fc.record(
      {
        v: fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.jsonValue() }),
        id: fc.oneof({ weight: 8, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.jsonValue() }),
        to: fc.oneof({ weight: 8, arbitrary: fc.constant('CN') }, { weight: 1, arbitrary: fc.jsonValue() }),
        seq: fc.oneof(
          { weight: 6, arbitrary: fc.constant('next' as const) },
          { weight: 1, arbitrary: fc.integer() },
          { weight: 1, arbitrary: fc.jsonValue() },
        ),
        message: typedMessage,
        sentAt: fc.oneof(
          { weight: 4, arbitrary: fc.constant(new Date().toISOString()) },
          { weight: 2, arbitrary: isoEdges },
          { weight: 1, arbitrary: fc.jsonValue() },
        ),
      },
      { requiredKeys: ['v', 'id', 'to', 'seq', 'message'] },
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fields, async ({ message, ...f }) => {
        const seq = f.seq === 'next' ? await nextSeq() : f.seq;
        const payload = { ...f, ...message, from: 'US', seq };
        const jws = await signEnvelope(payload, usSigner());
        const response = await postToInbox(cn, { envelopes: [jws] });
        await expectWellFormedAnswer(response, payload);
        if (response.status === 200) accepted++;
      }),
      { numRuns: RUNS * 2 },
    );
    // The generator mostly builds authentic, in-sequence envelopes: the handlers were reached.
    expect(accepted).toBeGreaterThan(RUNS / 4);
  });

  it('keeps a gap-free record of what it took in', async () => {
    const { rows } = await cn.ctx.db.query<{ seq: string }>("SELECT seq FROM inbox WHERE sender = 'US' ORDER BY seq");
    const seqs = rows.map((r) => Number(r.seq));
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect((await storedState(cn, 'US')).lastInSeq).toBe(seqs.length);
  });
});
