import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.ts';
import { createNode } from '../../src/node.ts';
import { api, PARTIES } from '../support/nodes.ts';
import { countersign, STACK_LINE, tempDir } from './cli-harness.ts';

// Every spawn of the CLI starts tsx and opens PGlite: on a busy two-core machine that takes seconds.
describe('countersign user add / token create', { timeout: 300_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let dataDir: string;
  beforeAll(async () => {
    dir = await tempDir();
    dataDir = join(dir.path, 'us');
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('creates the first admin and a token before the node ever starts; the node then accepts both', async () => {
    const added = await countersign(
      [
        'user',
        'add',
        '--data-dir',
        dataDir,
        '--party',
        'US',
        '--username',
        'alice',
        '--display-name',
        'Alice Admin',
        '--roles',
        'admin,liaison',
        '--password-stdin',
      ],
      { input: 'correct horse battery staple\n' },
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Created user alice (Alice Admin) with roles admin, liaison');

    const second = await countersign(
      [
        '--json',
        'user',
        'add',
        '--data-dir',
        dataDir,
        '--username',
        'bo.wen',
        '--display-name',
        'Bo Wen',
        '--roles',
        'analyst',
      ],
      { env: { COUNTERSIGN_PASSWORD: 'another long password' } },
    );
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ username: 'bo.wen', roles: ['analyst'], disabled: false });

    const token = await countersign(['token', 'create', '--data-dir', dataDir, '--username', 'alice', '--name', 'ci']);
    expect(token.code).toBe(0);
    const value = token.stdout.trim();
    expect(value).toMatch(/^cst_\S+$/);

    const node = await createNode(
      parseConfig({ party: PARTIES.US, dataDir, logLevel: 'silent', serveWeb: false, http: { port: 0 } }),
    );
    try {
      const users = await api(node, { username: 'alice', token: value }, 'GET', '/api/v1/users');
      expect(users.status).toBe(200);
      expect(users.body.map((u: { username: string; roles: string[] }) => [u.username, u.roles])).toEqual([
        ['alice', ['admin', 'liaison']],
        ['bo.wen', ['analyst']],
      ]);
      const login = await node.server.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'alice', password: 'correct horse battery staple' },
      });
      expect(login.statusCode).toBe(200);
    } finally {
      await node.close();
    }
  });

  it('names each bad field, takes no password from nowhere, and creates nothing', async () => {
    const badFields = await countersign(
      [
        'user',
        'add',
        '--data-dir',
        dataDir,
        '--username',
        'Carol!',
        '--display-name',
        'Carol',
        '--roles',
        'liaison,wizard',
      ],
      { input: 'correct horse battery staple' },
    );
    expect(badFields.code).toBe(1);
    expect(badFields.stderr).toContain('username: must be 2-63 lower-case letters');
    expect(badFields.stderr).toContain('roles.1: Invalid option');
    expect(badFields.stderr).not.toMatch(STACK_LINE);

    // Standard input is not a terminal and no password was piped or set: refuse rather than guess.
    const noPassword = await countersign([
      'user',
      'add',
      '--data-dir',
      dataDir,
      '--username',
      'carol',
      '--display-name',
      'Carol',
      '--roles',
      'liaison',
    ]);
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toContain('no password given');

    const shortPassword = await countersign(
      [
        'user',
        'add',
        '--data-dir',
        dataDir,
        '--username',
        'carol',
        '--display-name',
        'Carol',
        '--roles',
        'liaison',
        '--password-stdin',
      ],
      { input: 'too short' },
    );
    expect(shortPassword.code).toBe(1);
    expect(shortPassword.stderr).toContain('password: must be at least 12 characters');

    const taken = await countersign(
      [
        'user',
        'add',
        '--data-dir',
        dataDir,
        '--username',
        'alice',
        '--display-name',
        'Another',
        '--roles',
        'admin',
        '--password-stdin',
      ],
      { input: 'correct horse battery staple' },
    );
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('username "alice" is taken');

    // The node has started once (previous test), so the folder now says whose it is.
    const wrongParty = await countersign(
      [
        'user',
        'add',
        '--data-dir',
        dataDir,
        '--party',
        'CN',
        '--username',
        'carol',
        '--display-name',
        'Carol',
        '--roles',
        'liaison',
        '--password-stdin',
      ],
      { input: 'correct horse battery staple' },
    );
    expect(wrongParty.code).toBe(1);
    expect(wrongParty.stderr).toContain('the database belongs to US, not CN');

    const unknownUser = await countersign([
      'token',
      'create',
      '--data-dir',
      dataDir,
      '--username',
      'nobody',
      '--name',
      'x',
    ]);
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toContain('user "nobody" not found');
    expect(unknownUser.stdout).toBe('');

    const node = await createNode(
      parseConfig({ party: PARTIES.US, dataDir, logLevel: 'silent', serveWeb: false, http: { port: 0 } }),
    );
    try {
      const { rows } = await node.ctx.db.query<{ username: string }>('SELECT username FROM users ORDER BY username');
      expect(rows.map((r) => r.username)).toEqual(['alice', 'bo.wen']);
    } finally {
      await node.close();
    }
  });
});
