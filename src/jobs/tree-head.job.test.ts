import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPeers } from '../demo/peering.ts';
import type { CountersignNode } from '../node.ts';
import { readPackage, releasePackage } from '../../test/support/flows.ts';
import { addUser, api, eventually, samplePackage, startTestNode, type TestUser } from '../../test/support/nodes.ts';

let us: CountersignNode;
let cn: CountersignNode;
let usAuditor: TestUser;
let cnAuditor: TestUser;

beforeAll(async () => {
  [us, cn] = await Promise.all([
    // US signs by the clock, CN by the count.
    startTestNode('US', { ledger: { headIntervalMs: 200, headEveryLeaves: 1_000_000 } }),
    startTestNode('CN', { ledger: { headIntervalMs: 3_600_000, headEveryLeaves: 3 } }),
  ]);
  await Promise.all([us.listen(), cn.listen()]);
  await connectPeers(us, cn);
  [usAuditor, cnAuditor] = await Promise.all([addUser(us, 'aud', ['auditor']), addUser(cn, 'shen', ['auditor'])]);
});
afterAll(async () => {
  await Promise.all([us?.close(), cn?.close()]);
});

const headsOf = async (node: CountersignNode, auditor: TestUser) =>
  (await api(node, auditor, 'GET', '/api/v1/ledger/heads')).body;

describe('the tree head job', () => {
  it('signs heads by interval and by leaf count, and the peer countersigns each', async () => {
    const [lee, liu, wang] = await Promise.all([
      addUser(us, 'lee', ['liaison']),
      addUser(us, 'liu', ['liaison']),
      addUser(cn, 'wang', ['liaison']),
    ]);
    const sent = await releasePackage(us, lee, liu, samplePackage());
    await eventually(() => readPackage(cn, wang, sent.id), 20_000, 'CN to receive');
    expect((await api(cn, wang, 'POST', `/api/v1/packages/${sent.id}/acknowledge`)).status).toBe(200);

    for (const [node, auditor, peer] of [
      [us, usAuditor, 'CN'],
      [cn, cnAuditor, 'US'],
    ] as const) {
      const heads = await eventually(
        async () => {
          const body = await headsOf(node, auditor);
          return body.heads.length > 0 && body.heads.every((h: any) => h.countersignatures.length === 1)
            ? body.heads
            : undefined;
        },
        20_000,
        `${node.keyring.party}’s heads, countersigned by ${peer}`,
      );
      expect(heads[0].countersignatures[0].party).toBe(peer);
    }
    // CN signs by count: its three leaves (package received, acknowledgement sent, its receipt) make one head.
    const cnHeads = (await headsOf(cn, cnAuditor)).heads;
    expect(cnHeads.map((h: any) => h.treeSize)).toEqual([3]);
  });

  it('leaves nothing to sign once heads are exchanged: the heads and countersignatures are not leaves', async () => {
    await eventually(
      async () => (await us.ledger.unsignedLeaves()) === 0 && (await cn.ledger.unsignedLeaves()) === 0,
      20_000,
      'every leaf under a signed head',
    );
    await eventually(async () => (await us.exchange.channelStatus('CN')).pendingOut === 0, 20_000, 'US idle');
    await eventually(async () => (await cn.exchange.channelStatus('US')).pendingOut === 0, 20_000, 'CN idle');
    expect(await us.ledger.unsignedLeaves()).toBe(0);
    expect(await cn.ledger.unsignedLeaves()).toBe(0);
    const types = await us.ctx.db.query<{ event_type: string; event: string }>(
      'SELECT event_type, event FROM ledger_leaves',
    );
    expect(types.rows.filter((r) => r.event.includes('"messageType":"ledger.'))).toEqual([]);
  });
});
