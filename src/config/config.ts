import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PARTY_CODE } from '../common/parties.ts';
import { zodIssues } from '../common/validation.ts';
import { validationError } from '../common/errors.ts';

/** One node's configuration: read from a JSON file, overridden by environment variables. */
export const NodeConfigSchema = z.object({
  party: z.object({
    code: z.string().regex(PARTY_CODE, 'must be a 2-3 letter upper-case party code'),
    names: z.object({ en: z.string().min(1), zh: z.string().min(1), es: z.string().min(1) }),
  }),
  http: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(4101),
      /** Where peers reach this node; defaults to http://host:port. */
      publicUrl: z.url().optional(),
      /** Largest request body accepted, in bytes. */
      bodyLimit: z
        .number()
        .int()
        .positive()
        .default(8 * 1024 * 1024),
    })
    .prefault({}),
  /** PGlite data folder; ignored when databaseUrl is set. Absent: in memory (tests only). */
  dataDir: z.string().optional(),
  databaseUrl: z.string().optional(),
  /** PostgreSQL schema for this node: lets two nodes share one server in tests and the bench. */
  databaseSchema: z.string().optional(),
  delivery: z
    .object({
      batchSize: z.number().int().min(1).max(1000).default(100),
      idleWaitMs: z.number().int().positive().default(1000),
      minBackoffMs: z.number().int().positive().default(250),
      maxBackoffMs: z.number().int().positive().default(30_000),
      requestTimeoutMs: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  session: z
    .object({
      ttlHours: z.number().positive().default(12),
      /** Set behind HTTPS so the session cookie is never sent in clear. */
      secureCookies: z.boolean().default(false),
    })
    .prefault({}),
  login: z
    .object({
      /** Failed attempts per username and address before further attempts are refused. */
      maxFailures: z.number().int().positive().default(5),
      windowMinutes: z.number().positive().default(15),
    })
    .prefault({}),
  /** Signed tree heads of the verifiable record: one per interval while leaves arrive, sooner when many do. */
  ledger: z
    .object({
      headIntervalMs: z.number().int().positive().default(60_000),
      headEveryLeaves: z.number().int().positive().default(1000),
    })
    .prefault({}),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Serve the built web UI from web/dist. */
  serveWeb: z.boolean().default(true),
});

export type NodeConfig = z.infer<typeof NodeConfigSchema>;
export type NodeConfigInput = z.input<typeof NodeConfigSchema>;

/** Validates a config object, naming every bad field. @throws DomainError validation_failed */
export function parseConfig(input: unknown): NodeConfig {
  const parsed = NodeConfigSchema.safeParse(input);
  if (!parsed.success) throw validationError(zodIssues(parsed.error));
  return parsed.data;
}

/** Reads a JSON config file; DATABASE_URL, COUNTERSIGN_PORT and COUNTERSIGN_DATA_DIR override it. */
export async function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Promise<NodeConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw validationError([{ path, message: `cannot read config: ${(error as Error).message}` }]);
  }
  const config = parseConfig(raw);
  if (env.DATABASE_URL) config.databaseUrl = env.DATABASE_URL;
  if (env.COUNTERSIGN_PORT) config.http.port = Number(env.COUNTERSIGN_PORT);
  if (env.COUNTERSIGN_DATA_DIR) config.dataDir = env.COUNTERSIGN_DATA_DIR;
  return config;
}

export const publicUrlOf = (config: NodeConfig, boundPort?: number): string =>
  config.http.publicUrl ?? `http://${config.http.host}:${boundPort ?? config.http.port}`;
