import { cpus, loadavg, totalmem } from 'node:os';

/** Reads a positive integer setting from the environment, naming the variable when it is wrong. */
export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export const perSecond = (count: number, ms: number): number => (count * 1000) / ms;

export const formatRate = (value: number): string =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);

/** The command that reproduces this run, with the settings that were in effect. */
export function commandLine(bench: string, settings: Record<string, number | string>): string {
  const env = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  const url = process.env.DATABASE_URL;
  // A password in the URL stays out of the output.
  if (url) env.push(`DATABASE_URL=${url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`);
  return [...env, 'npm run bench --', bench].join(' ');
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

/** Prints rows as an aligned text table: first column left-aligned, the others right-aligned. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** Other work on the machine skews every figure; the load average says how much there was. */
export const loadAverage = (): string => loadavg()[0]?.toFixed(2) ?? '?';
