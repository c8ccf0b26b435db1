import { generateKeyPairSync } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPeers } from '../../demo/peering.ts';
import type { CountersignNode } from '../../node.ts';
import { readPackage, releasePackage } from '../../../test/support/flows.ts';
import { addUser, api, eventually, samplePackage, startTestNode, type TestUser } from '../../../test/support/nodes.ts';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.ts';
import {
  COUNTERSIGNATURE_TYP,
  MSG_COUNTERSIGNATURE,
  MSG_TREE_HEAD,
  signTreeHead,
  TREE_HEAD_TYP,
  verifyTreeHead,
} from './tree-head.ts';

/** Heads only when a test asks for one, so every head in these tests is one the test made. */
const MANUAL_HEADS = { ledger: { headIntervalMs: 3_600_000, headEveryLeaves: 1_000_000 } };

let us: CountersignNode;
let cn: CountersignNode;
let lee: TestUser;
let liu: TestUser;
let wang: TestUser;
let usAuditor: TestUser;
let cnAuditor: TestUser;
let packageId: string;

beforeAll(async () => {
  [us, cn] = await Promise.all([startTestNode('US', MANUAL_HEADS), startTestNode('CN', MANUAL_HEADS)]);
  await Promise.all([us.listen(), cn.listen()]);
  await connectPeers(us, cn);
  [lee, liu, wang, usAuditor, cnAuditor] = await Promise.all([
    addUser(us, 'lee', ['liaison']),
    addUser(us, 'liu', ['liaison']),
    addUser(cn, 'wang', ['liaison']),
    addUser(us, 'aud', ['auditor']),
    addUser(cn, 'shen', ['auditor']),
  ]);
});
afterAll(async () => {
  await Promise.all([us?.close(), cn?.close()]);
});

const idle = (node: CountersignNode, peer: string) =>
  eventually(async () => (await node.exchange.channelStatus(peer)).pendingOut === 0, 20_000, `${peer} outbox idle`);

async function leavesOf(node: CountersignNode, auditor: TestUser): Promise<any[]> {
  const response = await api(node, auditor, 'GET', '/api/v1/ledger/leaves?limit=1000');
  expect(response.status).toBe(200);
  return response.body.leaves;
}

describe('the record of exchange events', () => {
  it('records the send, the arrival and the receipt of a package as leaves on both sides', async () => {
    const sent = await releasePackage(us, lee, liu, samplePackage({ title: 'Ledger reference package' }));
    packageId = sent.id;
    await eventually(() => readPackage(cn, wang, packageId), 20_000, 'CN to receive the package');
    await idle(us, 'CN');
    const outbox = (
      await us.ctx.db.query<{ envelope_id: string; content_hash: string }>(
        'SELECT envelope_id, content_hash FROM outbox WHERE ref = $1',
        [packageId],
      )
    ).rows[0];

    const usLeaves = await leavesOf(us, usAuditor);
    expect(usLeaves.map((l) => [l.index, l.eventType])).toEqual([
      [0, 'envelope.sent'],
      [1, 'receipt.recorded'],
    ]);
    expect(usLeaves[0].event).toMatchObject({
      v: 1,
      idx: 0,
      event: 'envelope.sent',
      peer: 'CN',
      seq: 1,
      messageType: 'package',
      ref: packageId,
      envelopeId: outbox?.envelope_id,
      contentHash: outbox?.content_hash,
    });
    expect(usLeaves[1].event).toMatchObject({ event: 'receipt.recorded', status: 'delivered', reason: null });
    expect(usLeaves[1].event.receiptHash).toMatch(/^[0-9a-f]{64}$/);

    const cnLeaves = await leavesOf(cn, cnAuditor);
    expect(cnLeaves).toHaveLength(1);
    expect(cnLeaves[0].event).toMatchObject({
      event: 'envelope.received',
      peer: 'US',
      seq: 1,
      messageType: 'package',
      status: 'accepted',
      envelopeId: outbox?.envelope_id,
      contentHash: outbox?.content_hash,
    });

    // Each leaf hash is SHA-256(0x00 || the canonical event) of exactly what the API shows.
    for (const leaf of [...usLeaves, ...cnLeaves])
      expect(leaf.leafHash).toBe(leafHash(canonicalize(leaf.event) as string).toString('hex'));
  });

  it('records a lifecycle step answered by the peer (acknowledge) the same way', async () => {
    expect((await api(cn, wang, 'POST', `/api/v1/packages/${packageId}/acknowledge`)).status).toBe(200);
    await idle(cn, 'US');
    const cnLeaves = await leavesOf(cn, cnAuditor);
    expect(cnLeaves.slice(1).map((l) => [l.eventType, l.event.messageType, l.event.status ?? null])).toEqual([
      ['envelope.sent', 'package.ack', null],
      ['receipt.recorded', 'package.ack', 'delivered'],
    ]);
    const usLeaves = await leavesOf(us, usAuditor);
    expect(usLeaves.map((l) => l.eventType)).toEqual(['envelope.sent', 'receipt.recorded', 'envelope.received']);
    expect(usLeaves[2].event).toMatchObject({ messageType: 'package.ack', status: 'accepted', peer: 'CN' });
  });

  it('keeps no leaf of an event whose transaction rolled back', async () => {
    const before = await us.ledger.size();
    await expect(
      us.ctx.db.transaction(async (tx) => {
        await us.exchange.enqueue(tx, { to: 'CN', type: 'channel.ping', body: {} });
        throw new Error('business write failed');
      }),
    ).rejects.toThrow('business write failed');
    expect(await us.ledger.size()).toBe(before);
    expect((await leavesOf(us, usAuditor)).length).toBe(before);
  });

  it('numbers leaves without gaps when many transactions append at once', async () => {
    const before = await us.ledger.size();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        us.ctx.db.transaction((tx) => us.ledger.append(tx, [{ event: 'test.concurrent', n: i }])),
      ),
    );
    const leaves = await leavesOf(us, usAuditor);
    expect(leaves.map((l) => l.index)).toEqual(Array.from({ length: before + 20 }, (_, i) => i));
    expect(new Set(leaves.slice(before).map((l) => l.event.n)).size).toBe(20);
  });
});

describe('signed tree heads and countersignatures', () => {
  let firstSize = 0;

  it('sends a signed head to the peer, which countersigns it and sends the countersignature back', async () => {
    const head = await us.ledger.makeTreeHead();
    expect(head).toBeDefined();
    firstSize = head?.treeSize ?? 0;
    expect(firstSize).toBe(await us.ledger.size());
    // Nothing new, no new head.
    expect(await us.ledger.makeTreeHead()).toBeUndefined();

    const heads = await eventually(
      async () => {
        const response = await api(us, usAuditor, 'GET', '/api/v1/ledger/heads');
        return response.body.heads[0]?.countersignatures.length === 1 ? response.body : undefined;
      },
      20_000,
      'CN’s countersignature',
    );
    const [signed] = heads.heads;
    expect(signed).toMatchObject({ treeSize: firstSize, rootHash: head?.rootHash });
    expect(signed.countersignatures[0]).toMatchObject({ party: 'CN', kid: cn.keyring.activeKid });

    // Both signatures cover the same canonical head; each verifies with its signer's pinned key.
    const byUs = await verifyTreeHead(
      signed.jws,
      cn.keyring.peerKey('US', us.keyring.activeKid, { allowRetired: false })!,
      TREE_HEAD_TYP,
    );
    const byCn = await verifyTreeHead(
      signed.countersignatures[0].jws,
      us.keyring.peerKey('CN', cn.keyring.activeKid, { allowRetired: false })!,
      COUNTERSIGNATURE_TYP,
    );
    expect(byCn).toEqual(byUs);
    expect(byUs).toMatchObject({ v: 1, log: 'US', treeSize: firstSize, rootHash: head?.rootHash });

    // CN keeps the head it countersigned.
    const cnView = (await api(cn, cnAuditor, 'GET', '/api/v1/ledger/heads')).body;
    expect(cnView.peerHeads).toEqual([
      expect.objectContaining({
        party: 'US',
        treeSize: firstSize,
        rootHash: head?.rootHash,
        headJws: signed.jws,
        countersignatureJws: signed.countersignatures[0].jws,
        consistencyFrom: null,
      }),
    ]);
  });

  it('proves the next head consistent with the one the peer countersigned', async () => {
    await releasePackage(us, lee, liu, samplePackage({ title: 'Second package' }));
    await idle(us, 'CN');
    const head = await us.ledger.makeTreeHead();
    expect(head?.treeSize).toBeGreaterThan(firstSize);
    const cnView = await eventually(
      async () => {
        const body = (await api(cn, cnAuditor, 'GET', '/api/v1/ledger/heads')).body;
        return body.peerHeads.length === 2 ? body : undefined;
      },
      20_000,
      'CN to countersign the second head',
    );
    expect(cnView.peerHeads[0]).toMatchObject({ treeSize: head?.treeSize, consistencyFrom: firstSize });
    await eventually(
      async () =>
        (await api(us, usAuditor, 'GET', '/api/v1/ledger/heads')).body.heads[0].countersignatures.length === 1,
      20_000,
      'the second countersignature',
    );
  });

  it('countersigns the peer’s heads too, so each side holds both logs’ heads', async () => {
    const head = await cn.ledger.makeTreeHead();
    expect(head).toBeDefined();
    await eventually(
      async () => (await api(us, usAuditor, 'GET', '/api/v1/ledger/heads')).body.peerHeads.length === 1,
      20_000,
      'US to countersign CN’s head',
    );
    await eventually(
      async () =>
        (await api(cn, cnAuditor, 'GET', '/api/v1/ledger/heads')).body.heads[0]?.countersignatures[0]?.party === 'US',
      20_000,
      'US’s countersignature at CN',
    );
    for (const [node, auditor] of [
      [us, usAuditor],
      [cn, cnAuditor],
    ] as const) {
      const report = (await api(node, auditor, 'GET', '/api/v1/ledger/verify')).body;
      expect(report).toMatchObject({ ok: true, heads: expect.any(Number), peerHeads: expect.any(Number) });
      expect(report.firstBroken).toBeUndefined();
    }
  });

  it('serves inclusion and consistency proofs that verify against the signed heads', async () => {
    const heads = (await api(us, usAuditor, 'GET', '/api/v1/ledger/heads')).body.heads;
    const [latest, earlier] = heads;
    const leaves = await leavesOf(us, usAuditor);
    for (let index = 0; index < latest.treeSize; index++) {
      const proof = (await api(us, usAuditor, 'GET', `/api/v1/ledger/proofs/inclusion?index=${index}`)).body;
      expect(proof).toMatchObject({
        index,
        treeSize: latest.treeSize,
        rootHash: latest.rootHash,
        signedHead: latest.jws,
      });
      const leaf = leafHash(canonicalize(leaves[index].event) as string);
      expect(
        verifyInclusion(
          index,
          latest.treeSize,
          leaf,
          proof.proof.map((p: string) => Buffer.from(p, 'hex')),
          Buffer.from(latest.rootHash, 'hex'),
        ),
      ).toBe(true);
    }
    const consistency = (await api(us, usAuditor, 'GET', `/api/v1/ledger/proofs/consistency?first=${earlier.treeSize}`))
      .body;
    expect(consistency).toMatchObject({
      first: earlier.treeSize,
      second: latest.treeSize,
      firstRoot: earlier.rootHash,
      secondRoot: latest.rootHash,
      signedHeads: { first: earlier.jws, second: latest.jws },
    });
    expect(
      verifyConsistency(
        earlier.treeSize,
        latest.treeSize,
        Buffer.from(earlier.rootHash, 'hex'),
        Buffer.from(latest.rootHash, 'hex'),
        consistency.proof.map((p: string) => Buffer.from(p, 'hex')),
      ),
    ).toBe(true);
  });

  it('answers proof requests outside the log with a problem naming the field', async () => {
    const size = await us.ledger.size();
    const cases: [string, string][] = [
      [`/api/v1/ledger/proofs/inclusion?index=${size}&treeSize=${size}`, 'query.index'],
      [`/api/v1/ledger/proofs/inclusion?index=0&treeSize=${size + 1}`, 'query.treeSize'],
      ['/api/v1/ledger/proofs/inclusion?index=-1', 'query.index'],
      ['/api/v1/ledger/proofs/inclusion?index=abc', 'query.index'],
      ['/api/v1/ledger/proofs/consistency?first=0', 'query.first'],
      [`/api/v1/ledger/proofs/consistency?first=${size}&second=${size - 1}`, 'query.first'],
      ['/api/v1/ledger/leaves?limit=5000', 'query.limit'],
    ];
    for (const [url, field] of cases) {
      const response = await api(us, usAuditor, 'GET', url);
      expect({ url, status: response.status }).toEqual({ url, status: 400 });
      expect(response.body.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
  });
});

describe('what the peer refuses to countersign', () => {
  /** Queues a ledger message by hand, as a misbehaving node would, and returns how the peer answered. */
  async function sendRaw(from: CountersignNode, to: string, type: string, body: unknown) {
    const { envelopeId } = await from.ctx.db.transaction((tx) => from.exchange.enqueue(tx, { to, type, body }));
    from.exchange.notify();
    return eventually(
      async () => {
        const row = (
          await from.ctx.db.query<{ status: string; last_error: string | null }>(
            'SELECT status, last_error FROM outbox WHERE envelope_id = $1',
            [envelopeId],
          )
        ).rows[0];
        return row && row.status !== 'pending' ? row : undefined;
      },
      20_000,
      `${to} to answer the ${type}`,
    );
  }

  const usHead = (treeSize: number, rootHash: string) => ({
    v: 1 as const,
    log: 'US',
    treeSize,
    rootHash,
    timestamp: new Date().toISOString(),
  });

  it('refuses a head that does not grow the log past the one it countersigned', async () => {
    const countersigned = (await api(cn, cnAuditor, 'GET', '/api/v1/ledger/heads')).body.peerHeads[0];
    const jws = await signTreeHead(
      usHead(countersigned.treeSize - 1, 'a'.repeat(64)),
      us.keyring.signingKey(),
      TREE_HEAD_TYP,
    );
    const answer = await sendRaw(us, 'CN', MSG_TREE_HEAD, { head: jws });
    expect(answer.status).toBe('rejected');
    expect(answer.last_error).toContain(`does not grow past the countersigned head of size ${countersigned.treeSize}`);
    const refusals = await us.ctx.db.query("SELECT 1 FROM audit_log WHERE action = 'ledger.head_refused'");
    expect(refusals.rows.length).toBe(1);
  });

  it('refuses a head that rewrites what it countersigned before (consistency proof fails)', async () => {
    const countersigned = (await api(cn, cnAuditor, 'GET', '/api/v1/ledger/heads')).body.peerHeads[0];
    const size = countersigned.treeSize + 3;
    const honest = (
      await api(us, usAuditor, 'GET', `/api/v1/ledger/proofs/consistency?first=${countersigned.treeSize}`)
    ).body;
    const jws = await signTreeHead(usHead(size, 'b'.repeat(64)), us.keyring.signingKey(), TREE_HEAD_TYP);
    const answer = await sendRaw(us, 'CN', MSG_TREE_HEAD, {
      head: jws,
      consistency: { fromSize: countersigned.treeSize, proof: honest.proof },
    });
    expect(answer.status).toBe('rejected');
    expect(answer.last_error).toContain(`is not consistent with its head of size ${countersigned.treeSize}`);
    const cnHeads = (await api(cn, cnAuditor, 'GET', '/api/v1/ledger/heads')).body.peerHeads;
    expect(cnHeads.map((h: { treeSize: number }) => h.treeSize)).not.toContain(size);
  });

  it('refuses a head signed with a key not pinned for the sender', async () => {
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const jws = await signTreeHead(
      usHead(10_000, 'c'.repeat(64)),
      { kid: us.keyring.activeKid, key: stranger },
      TREE_HEAD_TYP,
    );
    const answer = await sendRaw(us, 'CN', MSG_TREE_HEAD, { head: jws });
    expect(answer.status).toBe('rejected');
    expect(answer.last_error).toContain('signature does not verify');
  });

  it('refuses a forged countersignature and keeps the genuine one', async () => {
    const [head] = (await api(us, usAuditor, 'GET', '/api/v1/ledger/heads')).body.heads;
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const forged = await signTreeHead(
      { v: 1, log: 'US', treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp },
      { kid: cn.keyring.activeKid, key: stranger },
      COUNTERSIGNATURE_TYP,
    );
    const answer = await sendRaw(cn, 'US', MSG_COUNTERSIGNATURE, { treeSize: head.treeSize, countersignature: forged });
    expect(answer.status).toBe('rejected');
    expect(answer.last_error).toContain('signature does not verify');
    const after = (await api(us, usAuditor, 'GET', '/api/v1/ledger/heads')).body.heads[0];
    expect(after.countersignatures).toEqual(head.countersignatures);
    expect((await api(us, usAuditor, 'GET', '/api/v1/ledger/verify')).body.ok).toBe(true);
  });

  it('refuses a genuine countersignature of a different head', async () => {
    const [head] = (await api(us, usAuditor, 'GET', '/api/v1/ledger/heads')).body.heads;
    const other = await signTreeHead(
      { v: 1, log: 'US', treeSize: head.treeSize, rootHash: 'd'.repeat(64), timestamp: head.timestamp },
      cn.keyring.signingKey(),
      COUNTERSIGNATURE_TYP,
    );
    const answer = await sendRaw(cn, 'US', MSG_COUNTERSIGNATURE, { treeSize: head.treeSize, countersignature: other });
    expect(answer.status).toBe('rejected');
    expect(answer.last_error).toContain(`does not sign our head of size ${head.treeSize}`);
  });
});

describe('the record across key rotations', () => {
  it('still verifies heads and countersignatures made with keys both sides have since retired', async () => {
    const [usOldKid, cnOldKid] = [us.keyring.activeKid, cn.keyring.activeKid];
    await us.exchange.rotateKey({ kind: 'system' });
    await cn.exchange.rotateKey({ kind: 'system' });
    await Promise.all([idle(us, 'CN'), idle(cn, 'US')]);
    const head = await us.ledger.makeTreeHead();
    expect(head?.kid).not.toBe(usOldKid);
    const latest = await eventually(
      async () => {
        const [newest] = (await api(us, usAuditor, 'GET', '/api/v1/ledger/heads')).body.heads;
        return newest.treeSize === head?.treeSize && newest.countersignatures.length === 1 ? newest : undefined;
      },
      20_000,
      'the countersignature under CN’s new key',
    );
    expect(latest.countersignatures[0].kid).not.toBe(cnOldKid);
    const heads = (await api(us, usAuditor, 'GET', '/api/v1/ledger/heads')).body.heads;
    expect(heads.some((h: { kid: string }) => h.kid === usOldKid)).toBe(true);
    for (const [node, auditor] of [
      [us, usAuditor],
      [cn, cnAuditor],
    ] as const) {
      const report = (await api(node, auditor, 'GET', '/api/v1/ledger/verify')).body;
      expect(report.firstBroken).toBeUndefined();
      expect(report.ok).toBe(true);
    }
  });
});

describe('the record checked from the API', () => {
  it('names the first broken leaf when a stored event is changed', async () => {
    await us.ctx.db.query(
      `UPDATE ledger_leaves SET event = replace(event, '"status":"delivered"', '"status":"rejected"') WHERE idx = 1`,
    );
    const report = (await api(us, usAuditor, 'GET', '/api/v1/ledger/verify')).body;
    expect(report).toMatchObject({
      ok: false,
      firstBroken: {
        kind: 'leaf',
        index: 1,
        entry: 'leaf 1',
        problem: 'the event does not hash to the stored leaf hash',
      },
    });
  });
});
