import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { publicUrlOf, type NodeConfig } from './config/config.ts';
import { buildServer } from './http/server.ts';
import { startDeliveryWorker } from './jobs/delivery.worker.ts';
import { startTreeHeadJob } from './jobs/tree-head.job.ts';
import { authRoutes, healthRoute } from './modules/auth/auth.routes.ts';
import { exchangeRoutes } from './modules/exchange/exchange.routes.ts';
import { Exchange } from './modules/exchange/exchange.service.ts';
import { ledgerRoutes } from './modules/ledger/ledger.routes.ts';
import { LedgerService } from './modules/ledger/ledger.service.ts';
import { packageRoutes } from './modules/packages/packages.routes.ts';
import { PackageService } from './modules/packages/packages.service.ts';
import { ensureIdentity, KeyRing } from './modules/parties/parties.service.ts';
import { SubstanceClassifier } from './modules/substances/classifier.service.ts';
import { substanceRoutes } from './modules/substances/substances.routes.ts';
import { SchedulingGapService } from './modules/substances/scheduling-gaps.service.ts';
import { SchedulingProposalService } from './modules/substances/scheduling-proposals.service.ts';
import { schedulingRoutes } from './modules/substances/scheduling.routes.ts';
import { createContext, type NodeContext } from './platform/context.ts';
import { createLogger } from './platform/logger.ts';
import { openDb } from './store/db.ts';
import { migrate } from './store/migrate.ts';

/** A running (or ready to run) node: its context, services, HTTP server and delivery worker. */
export interface CountersignNode {
  ctx: NodeContext;
  keyring: KeyRing;
  exchange: Exchange;
  packages: PackageService;
  ledger: LedgerService;
  server: FastifyInstance;
  /** Binds the HTTP port and starts delivery; returns the URL it listens on. */
  listen(): Promise<string>;
  /** Starts the delivery worker and the tree head job alone (tests that drive HTTP through `server.inject`). */
  startWorker(): void;
  url(): string;
  close(): Promise<void>;
}

/** Opens the database, migrates, ensures the party identity, and wires every module. */
export async function createNode(config: NodeConfig): Promise<CountersignNode> {
  const log = createLogger(config.logLevel, `countersign-${config.party.code}`);
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, schema: config.databaseSchema });
  const ctx = createContext(config, db, log);
  await migrate(db);
  await ensureIdentity(ctx);
  const keyring = new KeyRing();
  await keyring.load(db);
  const exchange = new Exchange(ctx, keyring);
  const packages = new PackageService(db, exchange, config.party.code);
  const ledger = new LedgerService(ctx, keyring, exchange);
  const substances = await SubstanceClassifier.create();
  const schedulingGaps = new SchedulingGapService(db, substances);
  const schedulingProposals = new SchedulingProposalService(db, exchange, config.party.code, substances);
  const server = await buildServer(ctx, [
    healthRoute,
    ...authRoutes(ctx),
    ...exchangeRoutes(exchange, keyring),
    ...packageRoutes(packages),
    ...ledgerRoutes(ledger),
    ...substanceRoutes(substances),
    ...schedulingRoutes(schedulingGaps, schedulingProposals),
  ]);
  let worker: { stop(): Promise<void> } | undefined;
  let headJob: { stop(): Promise<void> } | undefined;
  let boundUrl = publicUrlOf(config);
  const node: CountersignNode = {
    ctx,
    keyring,
    exchange,
    packages,
    ledger,
    server,
    async listen() {
      await server.listen({ host: config.http.host, port: config.http.port });
      boundUrl = publicUrlOf(config, (server.server.address() as AddressInfo).port);
      node.startWorker();
      return boundUrl;
    },
    startWorker() {
      worker ??= startDeliveryWorker(exchange);
      headJob ??= startTreeHeadJob(ledger);
    },
    url: () => boundUrl,
    async close() {
      await worker?.stop();
      await headJob?.stop();
      await server.close();
      await db.close();
    },
  };
  return node;
}
