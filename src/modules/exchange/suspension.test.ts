import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountersignNode } from '../../node.ts';
import {
  addUser,
  api,
  eventually,
  samplePackage,
  startFederation,
  type Federation,
  type TestUser,
} from '../../../test/support/nodes.ts';
import { count, jwsPayloadText, releasePackage } from '../../../test/support/flows.ts';

const HELD = 100;
/** How long the suspended channel is watched for leaks: many worker rounds at the test backoff (≤ 200 ms). */
const WATCH_MS = 2_500;

let fed: Federation;
let us: CountersignNode;
let cn: CountersignNode;
let usLead: TestUser;
let liu: TestUser;
let zhao: TestUser;

beforeAll(async () => {
  fed = await startFederation();
  ({ us, cn } = fed);
  [usLead, liu, zhao] = await Promise.all([
    addUser(us, 'lead', ['lead']),
    addUser(us, 'liu', ['liaison']),
    addUser(cn, 'zhao', ['liaison']),
  ]);
});
afterAll(() => fed?.close());

const channelOn = async (node: CountersignNode, user: TestUser, peer: string) => {
  const response = await api(node, user, 'GET', '/api/v1/channels');
  return (response.body as { peer: string; [k: string]: unknown }[]).find((c) => c.peer === peer);
};

/** Package ids in the order CN's inbox received them (by channel sequence number). */
async function receivedInOrder(): Promise<{ seq: number; packageId: string }[]> {
  const { rows } = await cn.ctx.db.query<{ seq: string; jws: string }>(
    "SELECT seq, jws FROM inbox WHERE sender = 'US' AND type = 'package' ORDER BY seq",
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    packageId: (JSON.parse(jwsPayloadText(r.jws)) as { body: { package: { id: string } } }).body.package.id,
  }));
}

describe('channel suspension', () => {
  it('holds everything while suspended and delivers it all, in order, on resume', async () => {
    const reason = 'Working group paused pending review';
    const suspended = await api(us, usLead, 'POST', '/api/v1/channels/CN/suspend', { reason });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ peer: 'CN', suspendedByUs: true, reason });
    expect((await api(us, usLead, 'POST', '/api/v1/channels/CN/suspend', { reason })).status).toBe(409);

    const onCn = await eventually(
      async () => {
        const channel = await channelOn(cn, fed.cnLiaison, 'US');
        return channel?.suspendedByPeer ? channel : undefined;
      },
      20_000,
      'CN to learn of the suspension',
    );
    expect(onCn).toMatchObject({ suspendedByPeer: true, suspendedByUs: false, reason });

    const sentIds: string[] = [];
    for (let i = 0; i < HELD; i++) {
      const sent = await releasePackage(
        us,
        fed.usLiaison,
        liu,
        samplePackage({ title: `Held package ${i + 1}`, entities: [] }),
      );
      expect(sent.status).toBe('sent');
      sentIds.push(sent.id);
    }
    const fromCn = await releasePackage(
      cn,
      fed.cnLiaison,
      zhao,
      samplePackage({ recipient: 'US', title: 'Sent by CN during the suspension', entities: [] }),
    );

    await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
    expect(await receivedInOrder()).toEqual([]);
    expect(await count(cn, "packages WHERE direction = 'incoming'")).toBe(0);
    expect(await count(us, "outbox WHERE peer = 'CN' AND type = 'package' AND status = 'pending'")).toBe(HELD);
    expect(await count(us, "packages WHERE direction = 'incoming'")).toBe(0);
    expect(await count(cn, "outbox WHERE peer = 'US' AND status = 'pending'")).toBe(1);
    const usChannel = await channelOn(us, usLead, 'CN');
    expect(usChannel).toMatchObject({ suspendedByUs: true, pendingOut: HELD });
    expect((await api(us, usLead, 'GET', `/api/v1/packages/${sentIds[0]}`)).body.status).toBe('sent');

    const resumed = await api(us, usLead, 'POST', '/api/v1/channels/CN/resume');
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ suspendedByUs: false, reason: null });

    const received = await eventually(
      async () => {
        const rows = await receivedInOrder();
        return rows.length === HELD ? rows : undefined;
      },
      60_000,
      'CN to receive all held packages',
    );
    expect(received.map((r) => r.packageId)).toEqual(sentIds);
    const seqs = received.map((r) => r.seq);
    const first = seqs[0] ?? 0;
    expect(seqs).toEqual(seqs.map((_, i) => first + i));
    const { rows: outbox } = await us.ctx.db.query<{ ref: string; seq: string }>(
      "SELECT ref, seq FROM outbox WHERE peer = 'CN' AND type = 'package' ORDER BY seq",
    );
    expect(outbox.map((r) => r.ref)).toEqual(sentIds);
    expect(outbox.map((r) => Number(r.seq))).toEqual(seqs);

    await eventually(
      async () => (await count(us, "outbox WHERE peer = 'CN' AND status = 'pending'")) === 0,
      30_000,
      'US outbox to drain',
    );
    expect(await count(us, "packages WHERE direction = 'outgoing' AND status = 'delivered'")).toBe(HELD);
    const cnView = await eventually(
      async () => {
        const channel = await channelOn(cn, fed.cnLiaison, 'US');
        return channel && !channel.suspendedByPeer ? channel : undefined;
      },
      20_000,
      'CN to learn of the resumption',
    );
    expect(cnView.reason).toBeNull();
    // CN's own message, queued while it was refused, follows once CN hears of the resumption.
    await eventually(
      async () => (await api(us, fed.usLiaison, 'GET', `/api/v1/packages/${fromCn.id}`)).status === 200,
      30_000,
      'US to receive the package CN queued',
    );
  });

  it('refuses suspension without a reason, by the wrong role, or of an unknown peer', async () => {
    const noReason = await api(us, usLead, 'POST', '/api/v1/channels/CN/suspend', { reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.issues).toEqual([expect.objectContaining({ path: 'body.reason' })]);
    expect((await api(us, fed.usLiaison, 'POST', '/api/v1/channels/CN/suspend', { reason: 'x' })).status).toBe(403);
    expect((await api(us, usLead, 'POST', '/api/v1/channels/MX/suspend', { reason: 'x' })).status).toBe(404);
    expect((await api(us, usLead, 'POST', '/api/v1/channels/CN/resume')).status).toBe(409);
    expect((await channelOn(us, usLead, 'CN'))?.suspendedByUs).toBe(false);
  });
});
