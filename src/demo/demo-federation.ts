import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '../common/errors.ts';
import { parseConfig, type NodeConfig } from '../config/config.ts';
import { createNode, type CountersignNode } from '../node.ts';
import { markSeeded, selectIdentity, selectPeer, selectPeerKeys } from '../modules/parties/parties.repository.ts';
import { connectPeers } from './peering.ts';
import { createDemoUsers, playScenario, SCENARIO_STEP_COUNT } from './scenario.ts';

const PARTIES = {
  US: { code: 'US', names: { en: 'United States', zh: '美国', es: 'Estados Unidos' } },
  CN: { code: 'CN', names: { en: 'China', zh: '中国', es: 'China' } },
} as const;

/** Progress steps of a first start: creating the users, then the scenario's. */
export const DEMO_SEED_STEPS = SCENARIO_STEP_COUNT + 1;

export interface DemoFederationOptions {
  dataDir: string;
  usPort: number;
  cnPort: number;
  host?: string;
  /** Wipe both nodes' data first. */
  fresh?: boolean;
  logLevel?: NodeConfig['logLevel'];
  /** Called as seeding moves on, DEMO_SEED_STEPS times in all. */
  progress?: (label: string) => void;
  settleTimeoutMs?: number;
}

export interface DemoFederation {
  us: CountersignNode;
  cn: CountersignNode;
  dataDirs: { us: string; cn: string };
  /** True when this start seeded the scenario; false when it was there already. */
  seededNow: boolean;
  seededAt: Date;
  close(): Promise<void>;
}

/** Waits until neither node has anything left in its outbox. @throws Error naming the stuck channel */
export async function settle(nodes: CountersignNode[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const channels = (await Promise.all(nodes.map(async (n) => ({ n, cs: await n.exchange.channels() })))).flatMap(
      ({ n, cs }) => cs.map((c) => ({ from: n.keyring.party, ...c })),
    );
    const stuck = channels.filter((c) => c.pendingOut > 0);
    if (stuck.length === 0) return;
    if (Date.now() > deadline) {
      const first = stuck[0];
      throw new Error(
        `delivery ${first?.from} → ${first?.peer} did not finish in ${timeoutMs} ms: ${first?.lastError ?? 'no error recorded'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether `self` already pins `other` at its current address and key. */
async function pins(self: CountersignNode, other: CountersignNode): Promise<boolean> {
  const peer = await selectPeer(self.ctx.db, other.keyring.party);
  if (!peer || peer.url !== other.url()) return false;
  const keys = await selectPeerKeys(self.ctx.db, other.keyring.party);
  return keys.some((k) => k.kid === other.keyring.activeKid && k.retired_at === null);
}

/**
 * Decides whether to seed: both nodes seeded means done; neither seeded and empty means seed.
 * Anything in between is a folder this command cannot safely add to.
 * @throws DomainError invalid_state
 */
async function seedingState(us: CountersignNode, cn: CountersignNode, dataDir: string): Promise<Date | 'seed'> {
  const [usIdentity, cnIdentity] = await Promise.all([selectIdentity(us.ctx.db), selectIdentity(cn.ctx.db)]);
  const usSeeded = usIdentity?.seeded_at ?? null;
  const cnSeeded = cnIdentity?.seeded_at ?? null;
  if (usSeeded && cnSeeded) return new Date(usSeeded);
  const again = `start again with --fresh to rebuild the demo in ${dataDir}`;
  if (usSeeded || cnSeeded) {
    throw new DomainError(
      'invalid_state',
      `${dataDir} holds half a demo federation (${usSeeded ? 'US' : 'CN'} seeded, the other not): ${again}`,
    );
  }
  for (const node of [us, cn]) {
    const { rows } = await node.ctx.db.query<{ n: number }>(
      'SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM packages) AS n',
    );
    if (Number(rows[0]?.n ?? 0) > 0) {
      throw new DomainError(
        'invalid_state',
        `the ${node.keyring.party} node in ${dataDir} has data but was never fully seeded (an earlier start stopped half-way?): ${again}`,
      );
    }
  }
  return 'seed';
}

/**
 * The demo federation in one process: a US and a CN node, each with its own PGlite folder and
 * keys, peered over loopback and seeded once with the synthetic scenario. Restarting on the same
 * folder reuses everything and seeds nothing.
 */
export async function startDemoFederation(options: DemoFederationOptions): Promise<DemoFederation> {
  const dataDirs = { us: join(options.dataDir, 'us'), cn: join(options.dataDir, 'cn') };
  if (options.fresh) {
    // Only the two node folders: the data dir itself may hold anything else of the operator's.
    await Promise.all([
      rm(dataDirs.us, { recursive: true, force: true }),
      rm(dataDirs.cn, { recursive: true, force: true }),
    ]);
  }
  // PGlite creates its own folder but not the parents.
  await mkdir(options.dataDir, { recursive: true });
  const configFor = (party: 'US' | 'CN', port: number, dataDir: string) =>
    parseConfig({
      party: PARTIES[party],
      http: { host: options.host ?? '127.0.0.1', port },
      dataDir,
      logLevel: options.logLevel ?? 'warn',
    });
  const us = await createNode(configFor('US', options.usPort, dataDirs.us));
  let cn: CountersignNode | undefined;
  try {
    cn = await createNode(configFor('CN', options.cnPort, dataDirs.cn));
    const state = await seedingState(us, cn, options.dataDir);
    await us.listen();
    await cn.listen();
    if (!(await pins(us, cn)) || !(await pins(cn, us))) await connectPeers(us, cn);
    let seededAt: Date;
    if (state === 'seed') {
      const progress = options.progress ?? (() => undefined);
      progress('Creating the demo users');
      await createDemoUsers(us, cn);
      await playScenario(us, cn, {
        step: progress,
        settle: () => settle([us, cn as CountersignNode], options.settleTimeoutMs),
      });
      await markSeeded(us.ctx.db);
      await markSeeded(cn.ctx.db);
      seededAt = new Date();
    } else {
      seededAt = state;
    }
    const both = { us, cn };
    return {
      ...both,
      dataDirs,
      seededNow: state === 'seed',
      seededAt,
      close: async () => {
        await Promise.all([both.us.close(), both.cn.close()]);
      },
    };
  } catch (error) {
    await Promise.allSettled([us.close(), cn?.close()]);
    throw error;
  }
}
