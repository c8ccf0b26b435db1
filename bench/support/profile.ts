import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import type { Db, Queryable } from '../../src/store/db.ts';

/**
 * Where the time goes: wall time per SQL statement and per instrumented step, summed while
 * `attach`ed. It measures the real objects in place (no stand-ins); run it only when asked
 * (BENCH_PROFILE=1), since timing every statement costs a little.
 */
export class TimeProfile {
  private readonly totals = new Map<string, { count: number; ms: number }>();
  private readonly undo: (() => void)[] = [];

  add(key: string, ms: number): void {
    const total = this.totals.get(key) ?? { count: 0, ms: 0 };
    total.count += 1;
    total.ms += ms;
    this.totals.set(key, total);
  }

  async time<T>(key: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.add(key, performance.now() - start);
    }
  }

  /** Times every statement `db` runs, in and out of transactions, and every transaction. */
  attachDb(db: Db, label: string): void {
    const { query, transaction } = db;
    const timed =
      (q: Queryable['query'], where: string): Queryable['query'] =>
      (sql, params) =>
        this.time(`${label} ${where}${sql.replace(/\s+/g, ' ').trim().slice(0, 70)}`, () => q(sql, params));
    const mutable = db as { -readonly [K in keyof Db]: Db[K] };
    mutable.query = timed(query, '');
    mutable.transaction = (fn) =>
      this.time(`${label} transaction (all of it)`, () =>
        transaction((tx) => fn({ query: timed(tx.query.bind(tx), 'tx: ') })),
      );
    this.undo.push(() => {
      mutable.query = query;
      mutable.transaction = transaction;
    });
  }

  /** Times calls of `object[method]`. */
  attachMethod<O extends object, K extends keyof O & string>(object: O, method: K, key: string): void {
    const original = object[method] as (...args: unknown[]) => Promise<unknown>;
    (object as Record<string, unknown>)[method] = (...args: unknown[]) =>
      this.time(key, () => original.apply(object, args));
    this.undo.push(() => delete (object as Record<string, unknown>)[method]);
  }

  detach(): void {
    for (const undo of this.undo.splice(0).reverse()) undo();
  }

  /** The biggest items, as milliseconds per package. */
  rows(packages: number, limit = 25): string[][] {
    return [...this.totals]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, limit)
      .map(([key, t]) => [
        key,
        (t.ms / packages).toFixed(3),
        (t.count / packages).toFixed(2),
        (t.ms / t.count).toFixed(3),
      ]);
  }
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Samples this process's JavaScript (V8 CPU profile) between `start` and `stop`. */
export class JsProfile {
  private readonly session = new Session();

  async start(): Promise<void> {
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.start');
  }

  /** Stops, writes the profile to `file` (open it in Chrome DevTools) and sums self time per package or file. */
  async stop(file: string): Promise<Map<string, number>> {
    const { profile } = (await this.post('Profiler.stop')) as { profile: CpuProfile };
    this.session.disconnect();
    await writeFile(file, JSON.stringify(profile));
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const totals = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const frame = nodes.get(id)?.callFrame;
      const key = frame ? sourceOf(frame) : '(unknown)';
      totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
    return totals;
  }

  private post(method: string): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  }
}

/** Groups a frame by npm package, by source file of ours, or by what V8 calls it (GC, idle...). */
function sourceOf(frame: { functionName: string; url: string }): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : `(native) ${frame.functionName}`;
  if (url.startsWith('wasm://')) return 'WebAssembly (PGlite)';
  if (url.startsWith('node:')) return url.replace(/^node:internal\/([^/]+).*/, 'node:$1');
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module?.[1]) return module[1];
  return url.replace(/^.*?\/(src|bench|test)\//, '$1/');
}
