import { once } from 'node:events';
import type { Exchange } from '../modules/exchange/exchange.service.ts';

const MIN_WAIT_MS = 10;

/**
 * Delivers the outbox to every peer until stopped: works while there is work, then sleeps until
 * the next retry is due, a new message is queued, or the idle interval passes.
 */
export function startDeliveryWorker(exchange: Exchange): { stop(): Promise<void> } {
  const { signals, config, log } = exchange.ctx;
  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const settled = await exchange.deliverAll();
        if (settled > 0) continue;
        const next = await exchange.nextAttemptAt();
        const untilNext = next ? Math.max(0, next.getTime() - Date.now()) : config.delivery.idleWaitMs;
        // A floor on the wait: if a due message could not be settled for a reason that sets no
        // backoff, the loop must still yield instead of spinning on the event loop.
        const waitMs = Math.max(MIN_WAIT_MS, Math.min(untilNext, config.delivery.idleWaitMs));
        await wake(signals, waitMs, abort.signal);
      } catch (error) {
        if (abort.signal.aborted) break;
        log.error({ err: error }, 'delivery worker error');
        await wake(signals, config.delivery.idleWaitMs, abort.signal);
      }
    }
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}

async function wake(signals: NodeJS.EventEmitter, ms: number, stop: AbortSignal): Promise<void> {
  const timeout = AbortSignal.timeout(ms);
  try {
    await once(signals, 'outbox', { signal: AbortSignal.any([timeout, stop]) });
  } catch {
    // Timed out or stopped: either way, look at the queue again (or leave the loop).
  }
}
