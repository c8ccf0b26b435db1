import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectPeers } from '../demo/peering.ts';
import type { CountersignNode } from '../node.ts';
import { startTestNode } from '../../test/support/nodes.ts';

describe('delivery worker while a peer is unreachable', () => {
  let us: CountersignNode;
  let cn: CountersignNode;

  beforeAll(async () => {
    // CN never listens, so every delivery fails; a long backoff keeps the head deferred for the test.
    us = await startTestNode('US', { delivery: { minBackoffMs: 60_000, maxBackoffMs: 60_000, idleWaitMs: 200 } });
    cn = await startTestNode('CN');
    await connectPeers(us, cn);
    await us.ctx.db.transaction(async (tx) => {
      for (const n of [1, 2, 3]) await us.exchange.enqueue(tx, { to: 'CN', type: 'test.ping', body: { n } });
    });
  });
  afterAll(async () => {
    await us?.close();
    await cn?.close();
  });

  it('waits for the deferred head of the queue, not for the messages queued behind it', async () => {
    expect(await us.exchange.deliverBatch('CN')).toBe(0);
    const [head] = (
      await us.ctx.db.query<{ next_attempt_at: Date }>(
        "SELECT next_attempt_at FROM outbox WHERE peer = 'CN' AND status = 'pending' ORDER BY seq LIMIT 1",
      )
    ).rows;
    const next = await us.exchange.nextAttemptAt();
    expect(next?.getTime()).toBe(head?.next_attempt_at.getTime());
    expect(next!.getTime()).toBeGreaterThan(Date.now());
  });

  it('sleeps between attempts instead of spinning on messages it cannot send yet', async () => {
    const deliverAll = vi.spyOn(us.exchange, 'deliverAll');
    us.startWorker();
    await new Promise((r) => setTimeout(r, 1000));
    // Waking every idleWaitMs (200 ms) gives about five passes; a spinning worker makes thousands.
    expect(deliverAll.mock.calls.length).toBeLessThan(15);
    expect((await us.exchange.channelStatus('CN')).pendingOut).toBe(3);
  });
});
