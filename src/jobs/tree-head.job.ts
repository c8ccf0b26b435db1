import type { LedgerService } from '../modules/ledger/ledger.service.ts';

/** How often the job looks at the log: a busy log gets its head within this of reaching the leaf count. */
const MAX_POLL_MS = 1000;

/**
 * Signs a tree head whenever `headEveryLeaves` new leaves are waiting, or `headIntervalMs` has
 * passed since the last head and at least one is; an idle log gets no new heads.
 */
export function startTreeHeadJob(ledger: LedgerService): { stop(): Promise<void> } {
  const { config, log } = ledger.ctx;
  const { headIntervalMs, headEveryLeaves } = config.ledger;
  const pollMs = Math.min(headIntervalMs, MAX_POLL_MS);
  const abort = new AbortController();
  let lastHeadAt = Date.now();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      await sleep(pollMs, abort.signal);
      if (abort.signal.aborted) break;
      try {
        const waiting = await ledger.unsignedLeaves();
        if (waiting >= headEveryLeaves || (waiting > 0 && Date.now() - lastHeadAt >= headIntervalMs)) {
          const head = await ledger.makeTreeHead();
          lastHeadAt = Date.now();
          if (head) log.debug({ treeSize: head.treeSize, rootHash: head.rootHash }, 'tree head signed');
        }
      } catch (error) {
        if (abort.signal.aborted) break;
        log.error({ err: error }, 'tree head job error');
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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
