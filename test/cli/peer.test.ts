import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type NodeConfigInput } from '../../src/config/config.ts';
import { createNode } from '../../src/node.ts';
import { listPeers } from '../../src/modules/parties/parties.service.ts';
import { PARTIES, startTestNode } from '../support/nodes.ts';
import { countersign, STACK_LINE, tempDir } from './cli-harness.ts';

// Every spawn of the CLI starts tsx and opens PGlite: on a busy two-core machine that takes seconds.
describe('countersign node identity / peer add', { timeout: 300_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const configOf = (party: 'US' | 'CN'): NodeConfigInput => ({
    party: PARTIES[party],
    dataDir: join(dir.path, party.toLowerCase()),
    http: { host: '127.0.0.1', port: 0 },
    logLevel: 'silent',
    serveWeb: false,
  });
  const peersOfUs = async () => {
    const node = await createNode(parseConfig(configOf('US')));
    try {
      return await listPeers(node.ctx.db);
    } finally {
      await node.close();
    }
  };

  beforeAll(async () => {
    dir = await tempDir();
    for (const party of ['US', 'CN'] as const) {
      await writeFile(join(dir.path, `${party.toLowerCase()}.json`), JSON.stringify(configOf(party)));
    }
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('pins the keys from the identity file the peer’s operator handed over', async () => {
    const identity = await countersign(['node', 'identity', '--config', join(dir.path, 'cn.json')]);
    expect(identity.code).toBe(0);
    const published = JSON.parse(identity.stdout);
    expect(published).toMatchObject({ party: 'CN', names: PARTIES.CN.names });
    expect(published.keys).toHaveLength(1);
    expect(published.keys[0].kid).toMatch(/^CN:/);
    expect(published.keys[0].retiredAt).toBeNull();
    const identityFile = join(dir.path, 'cn-identity.json');
    await writeFile(identityFile, identity.stdout);

    // A kid that does not belong to its key is refused, whoever typed it.
    const tampered = structuredClone(published);
    tampered.keys[0].kid = 'CN:AAAAAAAAAAAAAAAAAAAAAA';
    await writeFile(join(dir.path, 'tampered.json'), JSON.stringify(tampered));
    const refused = await countersign([
      'peer',
      'add',
      '--config',
      join(dir.path, 'us.json'),
      '--party',
      'CN',
      '--url',
      'http://127.0.0.1:4102',
      '--identity-file',
      join(dir.path, 'tampered.json'),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('keys.0.kid: does not match its key');
    expect(refused.stderr).not.toMatch(STACK_LINE);

    const wrongParty = await countersign([
      'peer',
      'add',
      '--config',
      join(dir.path, 'us.json'),
      '--party',
      'MX',
      '--url',
      'http://127.0.0.1:4102',
      '--identity-file',
      identityFile,
    ]);
    expect(wrongParty.code).toBe(1);
    expect(wrongParty.stderr).toContain("party CN's, not MX's; nothing pinned");
    expect(await peersOfUs()).toEqual([]);

    const added = await countersign([
      'peer',
      'add',
      '--config',
      join(dir.path, 'us.json'),
      '--party',
      'CN',
      '--url',
      'http://127.0.0.1:4102',
      '--identity-file',
      identityFile,
    ]);
    expect(added.stderr).not.toMatch(/countersign:/);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`Pinned CN (China) at http://127.0.0.1:4102`);
    expect(added.stdout).toContain(published.keys[0].kid);
    const peers = await peersOfUs();
    expect(peers.map((p) => [p.party, p.url, p.keys.map((k) => k.kid)])).toEqual([
      ['CN', 'http://127.0.0.1:4102', [published.keys[0].kid]],
    ]);
  });

  it('fetches the identity from the peer’s URL, shows the key ids, and pins only with --yes', async () => {
    const mx = await startTestNode('CN', {
      party: { code: 'MX', names: { en: 'Mexico', zh: '墨西哥', es: 'México' } },
    });
    try {
      const url = await mx.listen();
      const args = ['peer', 'add', '--data-dir', join(dir.path, 'us'), '--party', 'MX', '--url', url, '--from-url'];
      const shown = await countersign(args);
      expect(shown.code).toBe(1);
      expect(shown.stdout).toContain(mx.keyring.activeKid);
      expect(shown.stderr).toContain('nothing pinned: confirm these key ids');
      expect((await peersOfUs()).map((p) => p.party)).toEqual(['CN']);

      const pinned = await countersign(['--json', ...args, '--yes']);
      expect(pinned.code).toBe(0);
      expect(JSON.parse(pinned.stdout)).toMatchObject({ party: 'MX', url, keys: [{ kid: mx.keyring.activeKid }] });
      expect((await peersOfUs()).map((p) => p.party)).toEqual(['CN', 'MX']);
    } finally {
      await mx.close();
    }

    const unreachable = await countersign([
      'peer',
      'add',
      '--data-dir',
      join(dir.path, 'us'),
      '--party',
      'MX',
      '--url',
      'http://127.0.0.1:9',
      '--from-url',
      '--yes',
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach http://127.0.0.1:9/federation/v1/identity');
  });

  it('says what to give when the identity file is missing or not JSON', async () => {
    const missing = await countersign([
      'peer',
      'add',
      '--data-dir',
      join(dir.path, 'us'),
      '--party',
      'CN',
      '--url',
      'http://127.0.0.1:4102',
      '--identity-file',
      join(dir.path, 'nope.json'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.json: no such file');
    await writeFile(join(dir.path, 'broken.json'), '{"party": "CN",');
    const broken = await countersign([
      'peer',
      'add',
      '--data-dir',
      join(dir.path, 'us'),
      '--party',
      'CN',
      '--url',
      'http://127.0.0.1:4102',
      '--identity-file',
      join(dir.path, 'broken.json'),
    ]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('broken.json is not valid JSON');
    expect(await readFile(join(dir.path, 'broken.json'), 'utf8')).toBe('{"party": "CN",');
  });
});
