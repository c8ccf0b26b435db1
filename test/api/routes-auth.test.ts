import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountersignNode } from '../../src/node.ts';
import { ROLES, type Role } from '../../src/platform/actor.ts';
import { addUser, api, startTestNode, type TestUser } from '../support/nodes.ts';

interface Operation {
  method: string;
  path: string;
  security: unknown[];
  xRoles?: string[];
}

const ANY_USER = 'any signed-in user';

let node: CountersignNode;
let operations: Operation[];
const userByRole = new Map<Role, TestUser>();

/** Fills `{id}`-style path parameters with values that pass validation, so only auth can refuse. */
const concretePath = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'peer' ? 'CN' : '6f1c2b7e-3f5d-4c1a-9b8e-2d4f6a8c0e12'));

async function call(op: Operation, user: TestUser | undefined) {
  const response = await node.server.inject({
    method: op.method as 'GET' | 'POST',
    url: concretePath(op.path),
    headers: user ? { authorization: `Bearer ${user.token}` } : {},
    ...(op.method === 'POST' ? { payload: {} } : {}),
  });
  return { status: response.statusCode, contentType: response.headers['content-type'], body: response.json() };
}

/** Every METHOD path the HTTP server routes, read from Fastify's own route tree. */
function serverRoutes(server: CountersignNode['server']): Set<string> {
  const routes = new Set<string>();
  const stack: string[] = [];
  for (const line of server.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (\S+) \(([^)]+)\)$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(match[2] ?? '');
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of (match[3] ?? '').split(', ')) if (method !== 'HEAD') routes.add(`${method} ${path}`);
  }
  return routes;
}

beforeAll(async () => {
  node = await startTestNode('US');
  for (const role of ROLES) userByRole.set(role, await addUser(node, `only-${role}`, [role]));
  const doc = (await api(node, undefined, 'GET', '/openapi.json')).body;
  operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      security: op.security,
      ...(op['x-roles'] ? { xRoles: op['x-roles'] } : {}),
    })),
  );
});
afterAll(() => node?.close());

describe('route protection, for every operation in the OpenAPI document', () => {
  it('leaves only health, login, the node identity and the signed inbox open', () => {
    const open = operations.filter((op) => op.security.length === 0).map((op) => `${op.method} ${op.path}`);
    expect(open.sort()).toEqual([
      'GET /federation/v1/identity',
      'GET /healthz',
      'POST /api/v1/auth/login',
      'POST /federation/v1/envelopes',
    ]);
  });

  it('opens to every signed-in user only reads and self-service', () => {
    const forAnyone = operations.filter((op) => op.xRoles?.includes(ANY_USER)).map((op) => `${op.method} ${op.path}`);
    expect(forAnyone.sort()).toEqual([
      'GET /api/v1/channels',
      'GET /api/v1/deadlines',
      'GET /api/v1/me',
      'GET /api/v1/node',
      'GET /api/v1/packages',
      'GET /api/v1/packages/{id}',
      'GET /api/v1/packages/{id}/history',
      'GET /api/v1/peers',
      'GET /api/v1/substances/classify',
      'GET /api/v1/substances/depict',
      'GET /api/v1/substances/gaps',
      'GET /api/v1/substances/gaps.csv',
      'POST /api/v1/auth/logout',
      'POST /api/v1/tokens',
    ]);
  });

  it('answers 401 problem+json to every protected operation called without credentials', async () => {
    const protectedOps = operations.filter((op) => op.security.length > 0);
    expect(protectedOps.length).toBeGreaterThan(15);
    for (const op of protectedOps) {
      const response = await call(op, undefined);
      expect({ op: `${op.method} ${op.path}`, status: response.status }).toEqual({
        op: `${op.method} ${op.path}`,
        status: 401,
      });
      expect(response.contentType).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 401, code: 'unauthenticated', title: expect.any(String) });
    }
  });

  it('answers 401 to an unknown or malformed API token', async () => {
    const me = operations.find((op) => op.path === '/api/v1/me') as Operation;
    for (const token of ['cst_not-a-real-token', 'garbage', '']) {
      expect((await call(me, { username: 'nobody', token })).status).toBe(401);
    }
  });

  it('answers 403 problem+json to every role-restricted operation called with each role it does not allow', async () => {
    const restricted = operations.filter((op) => op.xRoles && !op.xRoles.includes(ANY_USER));
    expect(restricted.length).toBeGreaterThan(8);
    let checked = 0;
    for (const op of restricted) {
      const wrongRoles = ROLES.filter((role) => !op.xRoles?.includes(role));
      expect(wrongRoles.length).toBeGreaterThan(0);
      for (const role of wrongRoles) {
        const response = await call(op, userByRole.get(role));
        expect({ op: `${op.method} ${op.path}`, role, status: response.status }).toEqual({
          op: `${op.method} ${op.path}`,
          role,
          status: 403,
        });
        expect(response.contentType).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({ status: 403, code: 'forbidden' });
        expect(response.body.detail).toContain(op.xRoles?.[0]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(restricted.length);
  });

  it('lets a user holding an allowed role past the role check', async () => {
    const restricted = operations.filter((op) => op.xRoles && !op.xRoles.includes(ANY_USER));
    for (const op of restricted) {
      const allowed = userByRole.get(op.xRoles?.[0] as Role);
      const response = await call(op, allowed);
      expect([401, 403]).not.toContain(response.status);
      expect(response.status).toBeLessThan(500);
    }
  });
});

describe('API description and platform routes', () => {
  it('serves an OpenAPI 3.1 document describing every route the server has', async () => {
    const response = await api(node, undefined, 'GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\.1\./);
    expect(response.body.info.title).toContain('US');
    const documented = new Set(operations.map((op) => `${op.method} ${op.path}`));
    const routed = serverRoutes(node.server);
    // The document does not describe itself.
    routed.delete('GET /openapi.json');
    expect(routed.size).toBeGreaterThan(20);
    expect([...documented].sort()).toEqual([...routed].sort());
    for (const op of operations) {
      const described = response.body.paths[op.path][op.method.toLowerCase()];
      expect(described.summary, `${op.method} ${op.path}`).toBeTruthy();
      expect(described.responses.default.content['application/problem+json']).toBeDefined();
    }
    expect(response.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('describes request bodies with the validation schemas', async () => {
    const doc = (await api(node, undefined, 'GET', '/openapi.json')).body;
    const login = doc.paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema;
    expect(login.required).toEqual(expect.arrayContaining(['username', 'password']));
  });

  it('reports health with the database kind', async () => {
    const response = await api(node, undefined, 'GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ok',
      party: 'US',
      database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
    });
  });

  it('answers an unknown API route with 404 problem+json naming it', async () => {
    for (const url of ['/api/v1/no-such-thing', '/api/v2/packages', '/federation/v1/nothing']) {
      const response = await node.server.inject({ method: 'GET', url: `${url}?x=1` });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 404, code: 'not_found', detail: `no route GET ${url}` });
    }
  });
});
