import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/demo/scenario.ts';
import { freePort, RunningCli, tempDir } from './cli-harness.ts';

/** Signs in over HTTP with a printed demo login and calls the API with the session cookie. */
async function signIn(url: string, username: string, password: string) {
  const login = await fetch(new URL('/api/v1/auth/login', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(login.status).toBe(200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return async (path: string) => {
    const response = await fetch(new URL(path, url), { headers: { cookie } });
    expect(response.status).toBe(200);
    return response.json() as Promise<any>;
  };
}

// Every spawn of the CLI starts tsx and opens PGlite: on a busy two-core machine that takes seconds.
describe('countersign start', { timeout: 300_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let running: RunningCli | undefined;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await running?.stop('SIGKILL');
    await dir.remove();
  });

  it('runs two peered, seeded nodes, prints where to sign in, and seeds only once across restarts', async () => {
    const [usPort, cnPort] = [await freePort(), await freePort()];
    const args = ['start', '--data-dir', dir.path, '--us-port', String(usPort), '--cn-port', String(cnPort)];
    const usUrl = `http://127.0.0.1:${usPort}`;
    const cnUrl = `http://127.0.0.1:${cnPort}`;

    running = new RunningCli(args);
    await running.waitFor('Ready.');
    const printed = running.stdout;
    expect(printed).toContain(usUrl);
    expect(printed).toContain(cnUrl);
    expect(printed).toContain('Seeded the synthetic scenario');
    expect(printed).toContain('passwords are printed on purpose');
    for (const user of DEMO_USERS) {
      const line = printed.split('\n').find((l) => l.includes(` ${user.username} `));
      expect(line, user.username).toContain(user.password);
      expect(line).toContain(user.party === 'US' ? usUrl : cnUrl);
      expect(line).toContain(user.roles.join(','));
    }
    expect(new Set(DEMO_USERS.map((u) => u.roles.join()))).toEqual(
      new Set(['admin', 'liaison', 'analyst', 'lead', 'auditor', 'regulator']),
    );

    const cnLiaison = DEMO_USERS.find((u) => u.username === 'cn-liaison');
    const cnApi = await signIn(cnUrl, 'cn-liaison', cnLiaison?.password ?? '');
    const inbox = (await cnApi('/api/v1/packages?box=inbox')).items as {
      kind: string;
      title: string;
      status: string;
    }[];
    expect(inbox).toContainEqual(
      expect.objectContaining({
        kind: 'intelligence',
        title: expect.stringContaining('Wuhan supplier network'),
        status: 'acknowledged',
      }),
    );

    const usLiaison = DEMO_USERS.find((u) => u.username === 'us-liaison');
    const usApi = await signIn(usUrl, 'us-liaison', usLiaison?.password ?? '');
    const overdue = (await usApi('/api/v1/deadlines')).items.filter((p: { overdue: boolean }) => p.overdue);
    expect(overdue).toEqual([expect.objectContaining({ kind: 'request', direction: 'incoming', originParty: 'CN' })]);
    const usAll = (await usApi('/api/v1/packages?box=all')).items as { status: string }[];
    expect(usAll.filter((p) => p.status === 'draft')).toHaveLength(2);
    const cnAll = (await cnApi('/api/v1/packages?box=all')).items;

    expect(await running.stop('SIGINT')).toBe(0);

    running = new RunningCli(args);
    await running.waitFor('Ready.');
    expect(running.stdout).toContain('nothing added');
    expect(running.stdout).not.toContain('Seeded the synthetic scenario');
    const usAgain = await signIn(usUrl, 'us-liaison', usLiaison?.password ?? '');
    const cnAgain = await signIn(cnUrl, 'cn-liaison', cnLiaison?.password ?? '');
    expect((await usAgain('/api/v1/packages?box=all')).items).toHaveLength(usAll.length);
    expect((await cnAgain('/api/v1/packages?box=all')).items).toHaveLength(cnAll.length);
    expect(await running.stop('SIGTERM')).toBe(0);
  });
});
