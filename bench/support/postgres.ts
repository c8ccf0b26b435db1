import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const PG_SERVER = fileURLToPath(new URL('../../test/support/pg-server.sh', import.meta.url));
/** A port of its own, and an instance per process, so a bench never stops a server someone else uses. */
const BENCH_PG_PORT = '55442';

export type PostgresTarget =
  | { available: true; url: string; origin: string; settings: string; release(): Promise<void> }
  | { available: false; reason: string };

/**
 * The PostgreSQL server to measure: DATABASE_URL when set, otherwise a throwaway server started
 * with test/support/pg-server.sh (durable commits, so the figures include real flushes to disk).
 */
export async function acquirePostgres(): Promise<PostgresTarget> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    const settings = await describeServer(fromEnv).catch((error: Error) => error);
    if (settings instanceof Error)
      return { available: false, reason: `DATABASE_URL is set but unreachable: ${settings.message}` };
    return { available: true, url: fromEnv, origin: 'DATABASE_URL', settings, release: async () => undefined };
  }
  const env = { ...process.env, PG_PORT: BENCH_PG_PORT, PG_INSTANCE: `bench-${process.pid}` };
  let url: string;
  try {
    url = (await run(PG_SERVER, ['start'], { env })).stdout.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    return {
      available: false,
      reason: `DATABASE_URL is not set and test/support/pg-server.sh could not start a server: ${
        stderr?.split('\n').at(-1) ?? (error as Error).message
      }`,
    };
  }
  // Interrupted (Ctrl-C), the bench still stops its server: the next run uses another instance name.
  const stopNow = () => {
    execFileSync(PG_SERVER, ['stop'], { env, stdio: 'ignore' });
    process.exit(130);
  };
  process.once('SIGINT', stopNow).once('SIGTERM', stopNow);
  const release = async () => {
    process.off('SIGINT', stopNow).off('SIGTERM', stopNow);
    await run(PG_SERVER, ['stop'], { env }).catch(() => undefined);
  };
  try {
    return {
      available: true,
      url,
      origin: 'test/support/pg-server.sh (throwaway)',
      settings: await describeServer(url),
      release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/** Version and the settings that decide what a commit costs: figures mean little without them. */
async function describeServer(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit')`,
    );
    const get = (name: string) => rows.find((r) => r.name === name)?.setting ?? '?';
    return `PostgreSQL ${get('server_version')}, fsync=${get('fsync')}, synchronous_commit=${get('synchronous_commit')}`;
  } finally {
    await client.end();
  }
}

/** A fresh schema name, so bench runs never collide with each other or with tests on a shared server. */
export const benchSchema = (label: string): string => `bench_${label}_${randomBytes(5).toString('hex')}`;

/** Drops the bench's schemas, so a developer's database is left as it was found. */
export async function dropSchemas(url: string, schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
