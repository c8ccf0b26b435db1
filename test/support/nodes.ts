import { randomBytes } from 'node:crypto';
import { parseConfig, type NodeConfigInput } from '../../src/config/config.ts';
import { createNode, type CountersignNode } from '../../src/node.ts';
import { createApiTokenForUsername, createUser } from '../../src/modules/auth/auth.service.ts';
import { connectPeers } from '../../src/demo/peering.ts';
import type { Role } from '../../src/platform/actor.ts';

export const PARTIES = {
  US: { code: 'US', names: { en: 'United States', zh: '美国', es: 'Estados Unidos' } },
  CN: { code: 'CN', names: { en: 'China', zh: '中国', es: 'China' } },
} as const;

/**
 * Starts a node for a test: PGlite in memory by default, or a fresh schema on the PostgreSQL
 * server named by DATABASE_URL, so the same suite runs on both.
 */
export async function startTestNode(
  party: keyof typeof PARTIES,
  overrides: Partial<NodeConfigInput> = {},
): Promise<CountersignNode> {
  const databaseUrl = process.env.DATABASE_URL;
  const config = parseConfig({
    party: PARTIES[party],
    http: { host: '127.0.0.1', port: 0 },
    logLevel: 'silent',
    serveWeb: false,
    delivery: { minBackoffMs: 20, maxBackoffMs: 200, idleWaitMs: 200 },
    ...(databaseUrl
      ? { databaseUrl, databaseSchema: `t_${party.toLowerCase()}_${randomBytes(6).toString('hex')}` }
      : {}),
    ...overrides,
  });
  return createNode(config);
}

export interface TestUser {
  username: string;
  token: string;
}

/** Creates a user with `roles` and returns an API token for it. */
export async function addUser(node: CountersignNode, username: string, roles: Role[]): Promise<TestUser> {
  await createUser(
    node.ctx.db,
    { kind: 'system' },
    { username, displayName: username, password: 'correct horse battery staple', roles },
  );
  return { username, token: await createApiTokenForUsername(node.ctx.db, username, 'test') };
}

export interface Federation {
  us: CountersignNode;
  cn: CountersignNode;
  usAnalyst: TestUser;
  usLiaison: TestUser;
  cnLiaison: TestUser;
  close(): Promise<void>;
}

/** Two peered nodes listening on loopback, with users on each. */
export async function startFederation(options: { listen?: boolean } = {}): Promise<Federation> {
  const [us, cn] = await Promise.all([startTestNode('US'), startTestNode('CN')]);
  if (options.listen !== false) await Promise.all([us.listen(), cn.listen()]);
  await connectPeers(us, cn);
  const [usAnalyst, usLiaison, cnLiaison] = await Promise.all([
    addUser(us, 'ana', ['analyst']),
    addUser(us, 'lee', ['liaison']),
    addUser(cn, 'wang', ['liaison']),
  ]);
  return {
    us,
    cn,
    usAnalyst,
    usLiaison,
    cnLiaison,
    close: async () => {
      await Promise.all([us.close(), cn.close()]);
    },
  };
}

/** A call through the real HTTP stack (Fastify inject) with a bearer token. */
export async function api(
  node: CountersignNode,
  user: TestUser | undefined,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  body?: unknown,
): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const response = await node.server.inject({
    method,
    url,
    headers: user ? { authorization: `Bearer ${user.token}` } : {},
    ...(body === undefined ? {} : { payload: body as object }),
  });
  const text = response.body;
  return { status: response.statusCode, body: text ? JSON.parse(text) : null, headers: response.headers };
}

/** Waits until `check` returns a truthy value, polling; fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function samplePackage(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'intelligence',
    recipient: 'CN',
    title: 'Precursor broker network in Wuhan',
    narrative: { text: 'Broker offers 4-AP and 1-boc-4-AP to buyers in Sinaloa.' },
    marking: { tlp: 'AMBER', releasableTo: ['US', 'CN'] },
    grade: { source: 'B', info: '2' },
    entities: [
      { id: 'p1', schema: 'Person', properties: { name: ['Li Wei'], nationality: ['cn'], phone: ['+8613800138000'] } },
      { id: 'c1', schema: 'Company', properties: { name: ['Hubei Example Biotech Co., Ltd.'], country: ['cn'] } },
      {
        id: 'd1',
        schema: 'Directorship',
        properties: { director: ['p1'], organization: ['c1'], role: ['general manager'] },
      },
    ],
    ...overrides,
  };
}
