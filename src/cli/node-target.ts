import { mkdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfigFile, parseConfig, type NodeConfig } from '../config/config.ts';
import { createNode, type CountersignNode } from '../node.ts';
import { selectIdentity } from '../modules/parties/parties.repository.ts';
import { openDb, type Db, type OpenDbOptions } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { CliError } from './output.ts';

/** How an operator command names the node whose database it works on. */
export interface TargetOptions {
  config?: string;
  dataDir?: string;
  databaseUrl?: string;
  schema?: string;
}

/** Adds --config (preferred) and its shortcuts --data-dir / --database-url [--schema]. */
export function addTargetOptions(command: Command): Command {
  return command
    .option('--config <file>', 'the node’s config file, as given to `countersign node` (preferred)')
    .option('--data-dir <dir>', 'shortcut: the node’s PGlite data folder')
    .option('--database-url <url>', 'shortcut: the node’s PostgreSQL connection string')
    .option('--schema <name>', 'with --database-url: the node’s PostgreSQL schema');
}

interface Target {
  db: OpenDbOptions;
  config: NodeConfig | undefined;
  /** Where the node's data lives, for messages (never includes a password). */
  label: string;
}

async function resolveTarget(options: TargetOptions): Promise<Target> {
  const given = [options.config, options.dataDir, options.databaseUrl].filter((o) => o !== undefined).length;
  if (given !== 1) {
    throw new CliError(
      'name the node with exactly one of --config FILE (preferred), --data-dir DIR, --database-url URL',
    );
  }
  if (options.config) {
    const config = await loadConfigFile(options.config);
    if (!config.databaseUrl && !config.dataDir) {
      throw new CliError(`${options.config} names neither dataDir nor databaseUrl: that node keeps nothing on disk`);
    }
    return {
      db: { databaseUrl: config.databaseUrl, dataDir: config.dataDir, schema: config.databaseSchema },
      config,
      label: config.databaseUrl
        ? `PostgreSQL${config.databaseSchema ? ` schema ${config.databaseSchema}` : ''}`
        : `${config.dataDir}`,
    };
  }
  if (options.dataDir) return { db: { dataDir: options.dataDir }, config: undefined, label: options.dataDir };
  return {
    db: { databaseUrl: options.databaseUrl, schema: options.schema },
    config: undefined,
    label: `PostgreSQL${options.schema ? ` schema ${options.schema}` : ''}`,
  };
}

/**
 * Opens and migrates the node's database without needing its party identity: the operator's
 * bootstrap path (the first admin is created before the node ever starts).
 * @throws CliError, DomainError when the target is ill-named or its config invalid
 */
export async function openTargetDb(options: TargetOptions): Promise<{ db: Db; config?: NodeConfig; label: string }> {
  const target = await resolveTarget(options);
  // Bootstrap: the first admin may be created before the node's folder exists.
  if (target.db.dataDir && !target.db.databaseUrl) await mkdir(target.db.dataDir, { recursive: true });
  const db = await openDb(target.db);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return { db, label: target.label, ...(target.config ? { config: target.config } : {}) };
}

/** Runs `work` on the target's database and always closes it. */
export async function withTargetDb<T>(
  options: TargetOptions,
  work: (db: Db, target: { config?: NodeConfig; label: string }) => Promise<T>,
): Promise<T> {
  const { db, ...target } = await openTargetDb(options);
  try {
    return await work(db, target);
  } finally {
    await db.close();
  }
}

/**
 * Opens the whole node (identity, keys, services) without listening: for commands that need its
 * key ring, such as pinning a peer. With a shortcut instead of --config, the party comes from the
 * database, so the node must have started once.
 * @throws CliError when a shortcut names a database with no node in it
 */
export async function openTargetNode(options: TargetOptions): Promise<CountersignNode> {
  const target = await resolveTarget(options);
  // The operator's terminal is not the node's log: only problems are worth showing here.
  if (target.config) return createNode({ ...target.config, logLevel: 'warn', serveWeb: false });
  const db = await openDb(target.db);
  let identity;
  try {
    await migrate(db);
    identity = await selectIdentity(db);
  } finally {
    await db.close();
  }
  if (!identity) {
    throw new CliError(
      `no node has started on ${target.label} yet: start it once (countersign node --config FILE), or pass --config`,
    );
  }
  return createNode(
    parseConfig({
      party: { code: identity.party_code, names: { en: identity.name_en, zh: identity.name_zh, es: identity.name_es } },
      ...(target.db.databaseUrl ? { databaseUrl: target.db.databaseUrl } : { dataDir: target.db.dataDir }),
      ...(target.db.schema ? { databaseSchema: target.db.schema } : {}),
      logLevel: 'warn',
      serveWeb: false,
    }),
  );
}

/** Runs `work` on the opened node and always closes it. */
export async function withTargetNode<T>(
  options: TargetOptions,
  work: (node: CountersignNode) => Promise<T>,
): Promise<T> {
  const node = await openTargetNode(options);
  try {
    return await work(node);
  } finally {
    await node.close();
  }
}
