import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addUser,
  api,
  eventually,
  samplePackage,
  startFederation,
  type Federation,
  type TestUser,
} from '../support/nodes.ts';
import { countersign, STACK_LINE, tempDir } from './cli-harness.ts';

// Every spawn of the CLI starts tsx and opens PGlite: on a busy two-core machine that takes seconds.
describe('countersign package send / approve / list against a running node', { timeout: 300_000 }, () => {
  let federation: Federation;
  let secondLiaison: TestUser;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let packageFile: string;
  const usDrafts = async () =>
    (await api(federation.us, federation.usLiaison, 'GET', '/api/v1/packages?box=drafts')).body.items.length;

  beforeAll(async () => {
    federation = await startFederation();
    secondLiaison = await addUser(federation.us, 'lin', ['liaison']);
    dir = await tempDir();
    packageFile = join(dir.path, 'package.json');
    await writeFile(packageFile, JSON.stringify(samplePackage()));
  });
  afterAll(async () => {
    await federation?.close();
    await dir?.remove();
  });

  it('leaves the package a draft awaiting a second user’s approval, then a second user approves and sends it', async () => {
    const url = federation.us.url();
    const drafted = await countersign(['package', 'send', '--file', packageFile, '--url', url], {
      env: { COUNTERSIGN_TOKEN: federation.usLiaison.token },
    });
    expect(drafted.code).toBe(0);
    expect(drafted.stdout).toContain('Not sent: the package is a draft awaiting approval by a second user (four-eyes)');
    const id = /package approve (\S+) --send/.exec(drafted.stdout)?.[1];
    expect(id).toBeDefined();

    // Its author cannot approve it.
    const selfApproval = await countersign([
      'package',
      'approve',
      id as string,
      '--url',
      url,
      '--token',
      federation.usLiaison.token,
    ]);
    expect(selfApproval.code).toBe(1);
    expect(selfApproval.stderr).toContain('a second user must approve: you wrote this package');

    const approved = await countersign(['--json', 'package', 'approve', id as string, '--send', '--url', url], {
      env: { COUNTERSIGN_TOKEN: secondLiaison.token },
    });
    expect(approved.code).toBe(0);
    const sent = JSON.parse(approved.stdout);
    expect(sent).toMatchObject({ id, status: 'sent', approvedBy: { username: 'lin' }, createdBy: { username: 'lee' } });
    await eventually(
      async () => {
        const inbox = await api(federation.cn, federation.cnLiaison, 'GET', '/api/v1/packages?box=inbox');
        return inbox.body.items.some((p: { id: string }) => p.id === id);
      },
      20_000,
      'the package in the CN inbox',
    );
  });

  it('sends in one go with --approve-token, and lists the package as JSON and as a table', async () => {
    const url = federation.us.url();
    const body = samplePackage({ title: 'Second wave of 1-boc-4-AP orders' });
    await writeFile(join(dir.path, 'second.json'), JSON.stringify(body));
    const result = await countersign(
      ['--json', 'package', 'send', '--file', join(dir.path, 'second.json'), '--url', url],
      {
        env: { COUNTERSIGN_TOKEN: federation.usAnalyst.token, COUNTERSIGN_APPROVER_TOKEN: federation.usLiaison.token },
      },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const sent = JSON.parse(result.stdout);
    expect(sent).toMatchObject({
      status: 'sent',
      title: body.title,
      createdBy: { username: 'ana' },
      approvedBy: { username: 'lee' },
    });

    const listed = await countersign([
      '--json',
      'package',
      'list',
      '--box',
      'outbox',
      '--url',
      url,
      '--token',
      federation.usAnalyst.token,
    ]);
    expect(listed.code).toBe(0);
    const items = JSON.parse(listed.stdout).items as { id: string; title: string }[];
    expect(items.map((p) => p.id)).toContain(sent.id);

    const tableOut = await countersign(['package', 'list', '--url', url, '--token', federation.usAnalyst.token]);
    expect(tableOut.code).toBe(0);
    const [header, ...rows] = tableOut.stdout.trimEnd().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual(['ID', 'KIND', 'STATUS', 'COUNTERPARTY', 'TITLE', 'DUE', 'OVERDUE']);
    expect(rows.find((r) => r.startsWith(sent.id))).toMatch(
      /intelligence\s+(sent|delivered)\s+to CN\s+Second wave of 1-boc-4-AP orders/,
    );
  });

  it('refuses a missing file, malformed JSON and an invalid field with a clean message, creating nothing', async () => {
    const url = federation.us.url();
    const env = { COUNTERSIGN_TOKEN: federation.usLiaison.token };
    const before = await usDrafts();

    const missing = await countersign(['package', 'send', '--file', join(dir.path, 'absent.json'), '--url', url], {
      env,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`countersign: cannot read ${join(dir.path, 'absent.json')}: no such file\n`);

    await writeFile(join(dir.path, 'malformed.json'), '{"kind": "intelligence", ');
    const malformed = await countersign(['package', 'send', '--file', join(dir.path, 'malformed.json'), '--url', url], {
      env,
    });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('malformed.json is not valid JSON');

    const invalid = samplePackage({ grade: { source: 'Z', info: '2' } });
    (invalid.entities[0] as { properties: Record<string, string[]> }).properties.phone = ['+86 12'];
    await writeFile(join(dir.path, 'invalid.json'), JSON.stringify(invalid));
    const refused = await countersign(['package', 'send', '--file', join(dir.path, 'invalid.json'), '--url', url], {
      env,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('countersign: the node refused it: validation failed');
    expect(refused.stderr).toMatch(/^ {2}grade\.source: /m);
    expect(refused.stdout).toBe('');

    const entityInvalid = samplePackage();
    (entityInvalid.entities[0] as { properties: Record<string, string[]> }).properties.phone = ['+86 12'];
    await writeFile(join(dir.path, 'entity-invalid.json'), JSON.stringify(entityInvalid));
    const badPhone = await countersign(
      ['--json', 'package', 'send', '--file', join(dir.path, 'entity-invalid.json'), '--url', url],
      { env },
    );
    expect(badPhone.code).toBe(1);
    const problem = JSON.parse(badPhone.stderr);
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(problem.issues).toEqual([
      {
        path: 'entities.0.properties.phone.0',
        message: expect.stringContaining('not a valid international phone number'),
      },
    ]);

    const noToken = await countersign(['package', 'send', '--file', packageFile, '--url', url]);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('no API token');

    for (const result of [missing, malformed, refused, badPhone, noToken])
      expect(result.stderr).not.toMatch(STACK_LINE);
    expect(await usDrafts()).toBe(before);
  });
});
