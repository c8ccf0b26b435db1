import { EventEmitter } from 'node:events';
import type { NodeConfig } from '../config/config.ts';
import type { Db } from '../store/db.ts';
import type { Logger } from './logger.ts';

/** Everything a node's services need, built once at start and passed explicitly. */
export interface NodeContext {
  readonly config: NodeConfig;
  readonly db: Db;
  readonly log: Logger;
  /** In-process signals, e.g. `outbox` when a message is queued, so the delivery worker wakes at once. */
  readonly signals: EventEmitter;
}

export function createContext(config: NodeConfig, db: Db, log: Logger): NodeContext {
  const signals = new EventEmitter();
  signals.setMaxListeners(100);
  return { config, db, log, signals };
}
