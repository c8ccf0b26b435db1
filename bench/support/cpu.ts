import { readdir, readFile } from 'node:fs/promises';
import pg from 'pg';

/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ; 100 on every mainstream build). */
const TICK_MS = 10;

/**
 * CPU time spent by this process and, when the PostgreSQL server runs on this machine and /proc
 * lets us read it, by the server's processes. CPU per package does not depend on what else the
 * machine is doing the way wall time does, so it gives a ceiling: cores ÷ CPU per package.
 */
export class CpuMeter {
  private constructor(private readonly postmasterPid: number | undefined) {}

  /** Finds the server's main process through a backend's parent; undefined when out of reach. */
  static async forServer(url: string | undefined): Promise<CpuMeter> {
    if (!url || process.platform !== 'linux') return new CpuMeter(undefined);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const backend = await readStat(rows[0]?.pid ?? -1);
      const server = backend ? await readStat(backend.ppid) : undefined;
      // A server in another container or machine shows up as some other process, or none.
      return new CpuMeter(server?.command.startsWith('postgres') ? backend?.ppid : undefined);
    } catch {
      return new CpuMeter(undefined);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  static forThisProcess(): CpuMeter {
    return new CpuMeter(undefined);
  }

  async read(): Promise<{ processMs: number; serverMs: number | undefined }> {
    const usage = process.cpuUsage();
    return { processMs: (usage.user + usage.system) / 1000, serverMs: await this.serverMs() };
  }

  private async serverMs(): Promise<number | undefined> {
    if (this.postmasterPid === undefined) return undefined;
    const main = await readStat(this.postmasterPid);
    if (!main) return undefined;
    // The server's own time, what it has collected from exited backends, and the live backends'.
    let ticks = main.utime + main.stime + main.cutime + main.cstime;
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readStat(Number(entry));
      if (stat?.ppid === this.postmasterPid) ticks += stat.utime + stat.stime;
    }
    return ticks * TICK_MS;
  }
}

async function readStat(
  pid: number,
): Promise<
  { command: string; ppid: number; utime: number; stime: number; cutime: number; cstime: number } | undefined
> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const at = (field: number) => Number(fields[field - 3]);
    return {
      command: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')),
      ppid: at(4),
      utime: at(14),
      stime: at(15),
      cutime: at(16),
      cstime: at(17),
    };
  } catch {
    return undefined;
  }
}
