import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** Anything that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  query<T extends object = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: T[]; rowCount: number }>;
}

/** One node's database: embedded PGlite or a PostgreSQL server, same SQL on both. */
export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data folder; absent means in memory (tests). */
  dataDir?: string | undefined;
  /** PostgreSQL schema to use (created if missing): lets tests and co-hosted nodes share one server. */
  schema?: string | undefined;
  poolSize?: number | undefined;
}

/**
 * DATE columns come back as 'YYYY-MM-DD' text from both drivers: a calendar day has no time zone,
 * and as a Date it would be midnight UTC on one driver and local midnight on the other.
 */
const DATE_OID = 1082;
const asText = (value: string) => value;

export async function openDb(options: OpenDbOptions): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<Db> {
  const lite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), parsers: { [DATE_OID]: asText } });
  const run = async <T extends object>(q: Pick<PGlite, 'query'>, sql: string, params?: readonly unknown[]) => {
    const result = await q.query<T>(sql, params ? [...params] : undefined);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  };
  return {
    kind: 'pglite',
    query: (sql, params) => run(lite, sql, params),
    transaction: (fn) => lite.transaction((tx) => fn({ query: (sql, params) => run(tx, sql, params) })),
    close: () => lite.close(),
  };
}

const statementNames = new Map<string, string>();
const statementName = (sql: string): string => {
  let name = statementNames.get(sql);
  if (!name) {
    name = `cs_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

async function openPostgres(databaseUrl: string, options: OpenDbOptions): Promise<Db> {
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid schema name "${schema}": use lower-case letters, digits and underscores`);
  }
  if (schema) {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID ? asText : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
    // Prepared statements, but planned for their actual parameters: a generic plan cannot fold the
    // optional filters (`$1 IS NULL OR col = $1`) and scans whole tables as they grow.
    options: ['-c plan_cache_mode=force_custom_plan', ...(schema ? [`-c search_path=${schema}`] : [])].join(' '),
  });
  // An idle client's error must not crash the node; the next query reconnects.
  pool.on('error', () => undefined);
  const run = async <T extends object>(client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]) => {
    // Parameterised statements are prepared once per connection, named by their text: the
    // server then skips parsing and planning on every later call (most of a short query's cost).
    const result = params?.length
      ? await client.query({ name: statementName(sql), text: sql, values: [...params] })
      : await client.query(sql);
    return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
  };
  return {
    kind: 'postgres',
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({ query: (sql, params) => run(client, sql, params) });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
