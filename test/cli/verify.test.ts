import { generateKeyPairSync } from 'node:crypto';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type NodeConfigInput } from '../../src/config/config.ts';
import { connectPeers } from '../../src/demo/peering.ts';
import { leafHash, MerkleTree } from '../../src/modules/ledger/merkle.ts';
import {
  COUNTERSIGNATURE_TYP,
  signTreeHead,
  TREE_HEAD_TYP,
  type TreeHead,
} from '../../src/modules/ledger/tree-head.ts';
import { privateKeyObject } from '../../src/modules/parties/keys.ts';
import { createNode, type CountersignNode } from '../../src/node.ts';
import { openDb, type Db } from '../../src/store/db.ts';
import { readPackage, releasePackage } from '../support/flows.ts';
import { addUser, api, eventually, PARTIES, samplePackage } from '../support/nodes.ts';
import { countersign, STACK_LINE, tempDir } from './cli-harness.ts';

/**
 * The record of a real exchange between two nodes, kept in PGlite data folders; each test tampers
 * with a copy of the US folder straight in the database, then runs the real `countersign verify`.
 */
describe('countersign verify', { timeout: 300_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let original = '';
  /** Sizes of US's heads, ascending; each countersigned by CN. */
  const headSizes: number[] = [];
  let leafCount = 0;
  let copies = 0;

  const configOf = (party: 'US' | 'CN'): NodeConfigInput => ({
    party: PARTIES[party],
    dataDir: join(dir.path, party.toLowerCase()),
    http: { host: '127.0.0.1', port: 0 },
    logLevel: 'silent',
    serveWeb: false,
    delivery: { minBackoffMs: 20, maxBackoffMs: 200, idleWaitMs: 100 },
    ledger: { headIntervalMs: 3_600_000, headEveryLeaves: 1_000_000 },
  });

  async function countersigned(node: CountersignNode, size: number): Promise<void> {
    await eventually(
      async () =>
        (await node.ctx.db.query('SELECT 1 FROM ledger_countersignatures WHERE tree_size = $1', [size])).rows.length ===
        1,
      20_000,
      `the countersignature of size ${size}`,
    );
  }

  beforeAll(async () => {
    dir = await tempDir();
    const us = await createNode(parseConfig(configOf('US')));
    const cn = await createNode(parseConfig(configOf('CN')));
    try {
      await Promise.all([us.listen(), cn.listen()]);
      await connectPeers(us, cn);
      const [lee, liu, wang] = await Promise.all([
        addUser(us, 'lee', ['liaison']),
        addUser(us, 'liu', ['liaison']),
        addUser(cn, 'wang', ['liaison']),
      ]);
      for (const round of [1, 2, 3]) {
        const sent = await releasePackage(us, lee, liu, samplePackage({ title: `Round ${round}` }));
        await eventually(() => readPackage(cn, wang, sent.id), 20_000, 'CN to receive');
        await api(cn, wang, 'POST', `/api/v1/packages/${sent.id}/acknowledge`);
        await eventually(
          async () => (await readPackage(us, lee, sent.id))?.status === 'acknowledged',
          20_000,
          'US to learn of the acknowledgement',
        );
        await eventually(async () => (await cn.exchange.channelStatus('US')).pendingOut === 0, 20_000, 'CN idle');
        const head = await us.ledger.makeTreeHead();
        if (!head) throw new Error('no head made');
        headSizes.push(head.treeSize);
        await countersigned(us, head.treeSize);
        const cnHead = await cn.ledger.makeTreeHead();
        if (cnHead) await countersigned(cn, cnHead.treeSize);
      }
      await eventually(async () => (await us.exchange.channelStatus('CN')).pendingOut === 0, 20_000, 'US idle');
      leafCount = await us.ledger.size();
    } finally {
      await Promise.all([us.close(), cn.close()]);
    }
    original = join(dir.path, 'us');
  });
  afterAll(async () => {
    await dir?.remove();
  });

  /** A copy of the US folder with `tamper` applied straight to its database. */
  async function tampered(tamper: (db: Db) => Promise<unknown>): Promise<string> {
    copies += 1;
    const copy = join(dir.path, `copy-${copies}`);
    await cp(original, copy, { recursive: true });
    const db = await openDb({ dataDir: copy });
    try {
      await tamper(db);
    } finally {
      await db.close();
    }
    return copy;
  }

  async function leaf(db: Db, idx: number): Promise<{ event: string; leaf_hash: string }> {
    const row = (
      await db.query<{ event: string; leaf_hash: string }>('SELECT * FROM ledger_leaves WHERE idx = $1', [idx])
    ).rows[0];
    if (!row) throw new Error(`no leaf ${idx}`);
    return row;
  }

  /** Rewrites leaf `idx`'s event and, like a careful forger, its leaf hash and the columns that mirror it. */
  async function rewriteLeaf(db: Db, idx: number, change: (event: any) => void): Promise<void> {
    const event = JSON.parse((await leaf(db, idx)).event);
    change(event);
    const text = canonicalize(event) as string;
    await db.query('UPDATE ledger_leaves SET event = $2, leaf_hash = $3, at = $4, event_type = $5 WHERE idx = $1', [
      idx,
      text,
      leafHash(text).toString('hex'),
      event.at,
      event.event,
    ]);
  }

  async function expectBroken(dataDir: string, entry: string, problem: string | RegExp): Promise<void> {
    const result = await countersign(['verify', '--data-dir', dataDir]);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    const line = result.stderr.trim();
    expect(line.startsWith(`countersign: record broken at ${entry}: `), line).toBe(true);
    expect(line).toMatch(problem);
  }

  it('reports an untouched record intact, with what it checked', async () => {
    expect(headSizes).toHaveLength(3);
    const result = await countersign(['verify', '--data-dir', original]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(
      `intact: ${leafCount} leaves, 3 heads, 3 countersignatures (and 3 heads of the peer countersigned)`,
    );

    const json = await countersign(['--json', 'verify', '--data-dir', original]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: true,
      party: 'US',
      leaves: leafCount,
      heads: 3,
      countersignatures: 3,
      peerHeads: 3,
    });
  });

  it('accepts --config like the other operator commands', async () => {
    const config = join(dir.path, 'us.json');
    await writeFile(config, JSON.stringify({ ...configOf('US'), dataDir: original }));
    const result = await countersign(['verify', '--config', config]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^intact: /);
  });

  it('detects a changed event', async () => {
    const copy = await tampered((db) =>
      db.query(`UPDATE ledger_leaves SET event = replace(event, '"status":"accepted"', '"status":"rejected"')
                WHERE idx = (SELECT min(idx) FROM ledger_leaves WHERE event LIKE '%"status":"accepted"%')`),
    );
    const db = await openDb({ dataDir: copy });
    const first = (
      await db.query<{ idx: string }>(`SELECT idx FROM ledger_leaves WHERE event LIKE '%"status":"rejected"%'`)
    ).rows[0];
    await db.close();
    await expectBroken(copy, `leaf ${first?.idx}`, /the event does not hash to the stored leaf hash$/);
  });

  it('detects a changed event whose leaf hash was recomputed, at the first head covering it', async () => {
    const copy = await tampered((db) =>
      rewriteLeaf(db, 1, (event) => {
        event.reason = 'rewritten afterwards';
      }),
    );
    await expectBroken(
      copy,
      `tree head at size ${headSizes[0]}`,
      /the signed root does not match the root of the stored leaves$/,
    );
  });

  it('detects a deleted leaf', async () => {
    const copy = await tampered((db) => db.query('DELETE FROM ledger_leaves WHERE idx = 3'));
    await expectBroken(copy, 'leaf 3', /missing \(the next stored leaf is 4\)$/);
  });

  it('detects a deleted last leaf, beyond every head', async () => {
    const copy = await tampered((db) => db.query('DELETE FROM ledger_leaves WHERE idx = $1', [leafCount - 1]));
    await expectBroken(copy, `leaf ${leafCount - 1}`, new RegExp(`missing \\(the log records ${leafCount} leaves\\)$`));
  });

  it('detects two leaves swapped', async () => {
    const copy = await tampered(async (db) => {
      await db.query('UPDATE ledger_leaves SET idx = 1000000 WHERE idx = 2');
      await db.query('UPDATE ledger_leaves SET idx = 2 WHERE idx = 5');
      await db.query('UPDATE ledger_leaves SET idx = 5 WHERE idx = 1000000');
    });
    await expectBroken(copy, 'leaf 2', /the event records index 5$/);
  });

  it('detects two leaves swapped by a forger who renumbered and rehashed them', async () => {
    const copy = await tampered(async (db) => {
      const [a, b] = [JSON.parse((await leaf(db, 2)).event), JSON.parse((await leaf(db, 5)).event)];
      await rewriteLeaf(db, 2, (event) => Object.assign(event, b, { idx: 2 }));
      await rewriteLeaf(db, 5, (event) => Object.assign(event, a, { idx: 5 }));
    });
    await expectBroken(
      copy,
      `tree head at size ${headSizes[0]}`,
      /the signed root does not match the root of the stored leaves$/,
    );
  });

  it('detects a row inserted after the last leaf', async () => {
    const copy = await tampered(async (db) => {
      const at = new Date().toISOString();
      const text = canonicalize({ v: 1, idx: leafCount, at, event: 'envelope.received', peer: 'CN' }) as string;
      await db.query('INSERT INTO ledger_leaves (idx, at, event_type, event, leaf_hash) VALUES ($1, $2, $3, $4, $5)', [
        leafCount,
        at,
        'envelope.received',
        text,
        leafHash(text).toString('hex'),
      ]);
    });
    await expectBroken(copy, `leaf ${leafCount}`, /beyond the log’s recorded size/);
  });

  it('detects a row inserted in the middle, the later leaves renumbered to make room', async () => {
    const copy = await tampered(async (db) => {
      await db.query('UPDATE ledger_leaves SET idx = idx + 1000000 WHERE idx >= 4');
      await db.query('UPDATE ledger_leaves SET idx = idx - 999999 WHERE idx >= 1000000');
      await db.query('UPDATE ledger_state SET size = size + 1');
      const at = new Date().toISOString();
      const text = canonicalize({ v: 1, idx: 4, at, event: 'envelope.received', peer: 'CN' }) as string;
      await db.query('INSERT INTO ledger_leaves (idx, at, event_type, event, leaf_hash) VALUES ($1, $2, $3, $4, $5)', [
        4,
        at,
        'envelope.received',
        text,
        leafHash(text).toString('hex'),
      ]);
    });
    await expectBroken(copy, 'leaf 5', /the event records index 4$/);
  });

  it('detects a head whose root was changed', async () => {
    const copy = await tampered((db) =>
      db.query('UPDATE ledger_heads SET root_hash = $2 WHERE tree_size = $1', [headSizes[1], 'f'.repeat(64)]),
    );
    await expectBroken(copy, `tree head at size ${headSizes[1]}`, /the stored root differs from the signed one$/);
  });

  it('detects a forged countersignature', async () => {
    const copy = await tampered(async (db) => {
      const row = (
        await db.query<{ kid: string; jws: string }>('SELECT * FROM ledger_countersignatures WHERE tree_size = $1', [
          headSizes[1],
        ])
      ).rows[0];
      const head = JSON.parse(Buffer.from(row?.jws.split('.')[1] ?? '', 'base64url').toString()) as TreeHead;
      const forger = generateKeyPairSync('ed25519').privateKey;
      const forged = await signTreeHead(head, { kid: row?.kid ?? '', key: forger }, COUNTERSIGNATURE_TYP);
      await db.query('UPDATE ledger_countersignatures SET jws = $2 WHERE tree_size = $1', [headSizes[1], forged]);
    });
    await expectBroken(
      copy,
      `countersignature by CN of the tree head at size ${headSizes[1]}`,
      /signature does not verify with the pinned key$/,
    );
  });

  it('catches an insider who rewrote a leaf and re-signed the heads with the node’s own key, by the peer’s countersignature', async () => {
    const copy = await tampered(async (db) => {
      await rewriteLeaf(db, 0, (event) => {
        event.ref = null;
      });
      const keys = (await db.query<{ kid: string; private_jwk: any }>('SELECT * FROM signing_keys')).rows;
      const signer = { kid: keys[0]?.kid ?? '', key: privateKeyObject(keys[0]?.private_jwk) };
      const tree = new MerkleTree();
      for (const row of (await db.query<{ event: string }>('SELECT event FROM ledger_leaves ORDER BY idx')).rows)
        tree.append(leafHash(row.event));
      const heads = (await db.query<{ tree_size: string; jws: string }>('SELECT * FROM ledger_heads')).rows;
      for (const row of heads) {
        const head = JSON.parse(Buffer.from(row.jws.split('.')[1] ?? '', 'base64url').toString()) as TreeHead;
        const rootHash = tree.rootHash(Number(row.tree_size)).toString('hex');
        const jws = await signTreeHead({ ...head, rootHash }, signer, TREE_HEAD_TYP);
        await db.query('UPDATE ledger_heads SET root_hash = $2, jws = $3 WHERE tree_size = $1', [
          row.tree_size,
          rootHash,
          jws,
        ]);
      }
    });
    await expectBroken(
      copy,
      `countersignature by CN of the tree head at size ${headSizes[0]}`,
      /signs a different head$/,
    );
  });

  it('refuses to verify a folder that does not exist, and names it', async () => {
    const missing = join(dir.path, 'no-such-node');
    const result = await countersign(['verify', '--data-dir', missing]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`countersign: no data folder at ${missing}`);
  });
});
