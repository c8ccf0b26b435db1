import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, SESSION_COOKIE } from '../../http/server.ts';
import type { CountersignNode } from '../../node.ts';
import { addUser, api, startTestNode, type TestUser } from '../../../test/support/nodes.ts';
import { count } from '../../../test/support/flows.ts';

const PASSWORD = 'correct horse battery staple';
const MAX_FAILURES = 3;

let node: CountersignNode;
let admin: TestUser;

beforeAll(async () => {
  node = await startTestNode('US', { login: { maxFailures: MAX_FAILURES, windowMinutes: 15 } });
  admin = await addUser(node, 'root', ['admin']);
  await addUser(node, 'ana', ['analyst']);
});
afterAll(() => node?.close());

async function login(username: string, password: string, remoteAddress = '127.0.0.1') {
  const response = await node.server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
    remoteAddress,
  });
  const cookie = response.cookies.find((c) => c.name === SESSION_COOKIE);
  return { response, cookie, body: response.json() };
}

async function withCookie(method: 'GET' | 'POST', url: string, session: string, headers = {}, payload?: object) {
  const response = await node.server.inject({
    method,
    url,
    cookies: { [SESSION_COOKIE]: session },
    headers,
    ...(payload ? { payload } : {}),
  });
  return { status: response.statusCode, body: response.json(), response };
}

describe('sessions', () => {
  it('sets an HttpOnly SameSite=Strict session cookie on login that then authenticates reads', async () => {
    const { response, cookie, body } = await login('ana', PASSWORD);
    expect(response.statusCode).toBe(200);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.value.length).toBeGreaterThanOrEqual(40);
    expect(body).toMatchObject({ user: { username: 'ana', roles: ['analyst'] }, csrfHeader: CSRF_HEADER });
    expect(JSON.stringify(body)).not.toContain(cookie?.value);
    const me = await withCookie('GET', '/api/v1/me', cookie?.value ?? '');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { username: 'ana' }, party: { code: 'US' } });
  });

  it('stores only a hash of the session token', async () => {
    const { cookie } = await login('ana', PASSWORD);
    const { rows } = await node.ctx.db.query<{ token_hash: string }>('SELECT token_hash FROM sessions');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.token_hash)).not.toContain(cookie?.value);
  });

  it('refuses a cookie-authenticated write without the CSRF header, and accepts it with the header', async () => {
    const { cookie } = await login('ana', PASSWORD);
    const session = cookie?.value ?? '';
    const tokensBefore = await count(node, 'api_tokens');
    const refused = await withCookie('POST', '/api/v1/tokens', session, {}, { name: 'script' });
    expect(refused.status).toBe(403);
    expect(refused.response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'forbidden' });
    expect(refused.body.detail).toContain(CSRF_HEADER);
    expect(await count(node, 'api_tokens')).toBe(tokensBefore);
    const accepted = await withCookie('POST', '/api/v1/tokens', session, { [CSRF_HEADER]: '1' }, { name: 'script' });
    expect(accepted.status).toBe(201);
    expect(await count(node, 'api_tokens')).toBe(tokensBefore + 1);
  });

  it('invalidates the session on logout', async () => {
    const { cookie } = await login('ana', PASSWORD);
    const session = cookie?.value ?? '';
    const sessionsBefore = await count(node, 'sessions');
    const out = await withCookie('POST', '/api/v1/auth/logout', session, { [CSRF_HEADER]: '1' });
    expect(out.status).toBe(200);
    const cleared = out.response.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cleared?.value).toBe('');
    expect(await count(node, 'sessions')).toBe(sessionsBefore - 1);
    const after = await withCookie('GET', '/api/v1/me', session);
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ code: 'unauthenticated' });
  });

  it('does not accept a made-up session cookie', async () => {
    const response = await withCookie('GET', '/api/v1/me', 'forged-session-value');
    expect(response.status).toBe(401);
  });
});

describe('login failures', () => {
  it('answers a wrong password and an unknown user with the same 401 and audits both', async () => {
    const wrongPassword = await login('ana', 'not the password at all', '10.0.0.1');
    const unknownUser = await login('nobody-here', PASSWORD, '10.0.0.1');
    expect(wrongPassword.response.statusCode).toBe(401);
    expect(unknownUser.response.statusCode).toBe(401);
    expect(wrongPassword.cookie).toBeUndefined();
    expect(wrongPassword.response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
    expect(strip(wrongPassword.body)).toEqual(strip(unknownUser.body));
    const { rows } = await node.ctx.db.query<{ details: { username: string } }>(
      "SELECT details FROM audit_log WHERE action = 'auth.login_failed'",
    );
    expect(rows.map((r) => r.details.username)).toEqual(expect.arrayContaining(['ana', 'nobody-here']));
  });

  it('rate-limits a username and address after repeated failures with 429 and retry-after', async () => {
    await addUser(node, 'target', ['liaison']);
    const address = '10.0.0.2';
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect((await login('target', `wrong password ${i}`, address)).response.statusCode).toBe(401);
    }
    // Even the right password is refused while the window lasts.
    const limited = await login('target', PASSWORD, address);
    expect(limited.response.statusCode).toBe(429);
    expect(limited.response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(limited.cookie).toBeUndefined();
    const retryAfter = Number(limited.response.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // The throttle is per username and address: the same user elsewhere, and others here, still sign in.
    expect((await login('target', PASSWORD, '10.0.0.3')).response.statusCode).toBe(200);
    expect((await login('ana', PASSWORD, address)).response.statusCode).toBe(200);
  });

  it('rejects a malformed login body with 400 naming the field', async () => {
    const response = await api(node, undefined, 'POST', '/api/v1/auth/login', { username: 'ana' });
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([expect.objectContaining({ path: 'body.password' })]);
  });
});

describe('API tokens', () => {
  it('authenticates with a token issued through the API, and refuses unknown ones', async () => {
    const { cookie } = await login('ana', PASSWORD);
    const issued = await withCookie(
      'POST',
      '/api/v1/tokens',
      cookie?.value ?? '',
      { [CSRF_HEADER]: '1' },
      {
        name: 'nightly import',
      },
    );
    const token = issued.body.token as string;
    expect(token).toMatch(/^cst_/);
    const me = await api(node, { username: 'ana', token }, 'GET', '/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe('ana');
    const { rows } = await node.ctx.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    expect(rows.map((r) => r.token_hash)).not.toContain(token);
    expect((await api(node, { username: 'ana', token: `${token}x` }, 'GET', '/api/v1/me')).status).toBe(401);
  });

  it('does not need the CSRF header: a token is not sent by browsers on their own', async () => {
    const response = await api(node, admin, 'POST', '/api/v1/tokens', { name: 'ci' });
    expect(response.status).toBe(201);
  });
});

describe('users and passwords', () => {
  it('stores passwords as salted scrypt hashes, never in clear', async () => {
    const password = 'a long enough passphrase 42';
    for (const username of ['same-pass-1', 'same-pass-2']) {
      const created = await api(node, admin, 'POST', '/api/v1/users', {
        username,
        displayName: username,
        password,
        roles: ['analyst'],
      });
      expect(created.status).toBe(201);
      expect(JSON.stringify(created.body)).not.toMatch(/scrypt|passphrase/);
    }
    const { rows } = await node.ctx.db.query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE username IN ('same-pass-1', 'same-pass-2')",
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
      expect(row.password_hash).not.toContain(password);
    }
    expect(rows[0]?.password_hash).not.toBe(rows[1]?.password_hash);
    expect((await login('same-pass-1', password)).response.statusCode).toBe(200);
  });

  it('refuses a weak password or a taken username, naming the field, and stores nothing', async () => {
    const before = await count(node, 'users');
    const weak = await api(node, admin, 'POST', '/api/v1/users', {
      username: 'weakling',
      displayName: 'Weak',
      password: 'short',
      roles: ['analyst'],
    });
    expect(weak.status).toBe(400);
    expect(weak.body.issues).toEqual([expect.objectContaining({ path: 'password' })]);
    const taken = await api(node, admin, 'POST', '/api/v1/users', {
      username: 'ana',
      displayName: 'Another Ana',
      password: 'a long enough passphrase 42',
      roles: ['analyst'],
    });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('conflict');
    expect(await count(node, 'users')).toBe(before);
  });

  it('audits user creation', async () => {
    const { rows } = await node.ctx.db.query<{ actor: string; details: { username: string } }>(
      "SELECT actor, details FROM audit_log WHERE action = 'user.create' AND details->>'username' = 'same-pass-1'",
    );
    expect(rows).toEqual([expect.objectContaining({ actor: 'root' })]);
  });
});
