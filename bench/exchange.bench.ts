import { generateKeyPairSync, randomUUID, sign as edSign, verify as edVerify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, compactVerify } from 'jose';
import { parseConfig } from '../src/config/config.ts';
import { connectPeers } from '../src/demo/peering.ts';
import { createUser } from '../src/modules/auth/auth.service.ts';
import { canonicalBytes, ENVELOPE_TYP } from '../src/modules/exchange/envelope.ts';
import { createNode, type CountersignNode } from '../src/node.ts';
import type { Actor, Role } from '../src/platform/actor.ts';
import { openDb, type Db } from '../src/store/db.ts';
import { CpuMeter } from './support/cpu.ts';
import { JsProfile, TimeProfile } from './support/profile.ts';
import { acquirePostgres, benchSchema, dropSchemas } from './support/postgres.ts';
import { commandLine, formatRate, intFromEnv, loadAverage, machine, perSecond, printTable } from './support/report.ts';

/**
 * Packages per second between two real nodes over loopback HTTP, end to end: the sender signs and
 * commits each package to its outbox, the delivery worker posts batches, the receiver verifies,
 * stores and applies them and signs receipts, and the sender verifies and records the receipts.
 * Baselines from the same run (Ed25519 alone, bare INSERTs on the same database) say how close
 * the exchange comes to what the machine can do at all.
 *
 *   npm run bench -- exchange
 *
 * BENCH_N packages per phase (5000), BENCH_SENDERS concurrent senders (4), BENCH_BATCH delivery
 * batch size (100, the node's default), BENCH_INSERT_N rows per INSERT baseline (BENCH_N),
 * BENCH_DB=pglite|postgres to measure one database only, BENCH_PROFILE=1 to show where the time
 * goes (statement timings and a JavaScript CPU profile; both slow the run a little).
 * PostgreSQL is DATABASE_URL when set, else a throwaway server from test/support/pg-server.sh.
 * See docs/BENCHMARKS.md.
 */

const N = intFromEnv('BENCH_N', 5000);
const SENDERS = intFromEnv('BENCH_SENDERS', 4);
const BATCH = intFromEnv('BENCH_BATCH', 100);
const INSERTS = intFromEnv('BENCH_INSERT_N', N);
const TARGET_PER_SECOND = 500;
const PROFILE = process.env.BENCH_PROFILE === '1';
const DATABASES = (process.env.BENCH_DB ?? 'pglite,postgres').split(',').map((d) => d.trim());
for (const d of DATABASES) {
  if (d !== 'pglite' && d !== 'postgres') throw new Error(`BENCH_DB lists "${d}"; expected pglite, postgres or both`);
}

const MARKING = { tlp: 'AMBER', releasableTo: ['US', 'CN'] };

/** A realistic intelligence package: a page of narrative and a small network of entities. */
function benchPackage(i: number) {
  return {
    kind: 'intelligence',
    recipient: 'CN',
    title: `Precursor broker network, report ${i}`,
    narrative: {
      text: (
        'A broker operating from Wuhan offers 4-AP and 1-boc-4-AP to buyers in Sinaloa, quoting prices per ' +
        'kilogram and shipping by air courier declared as industrial chemicals. Payments go through a ' +
        'trading company in Hong Kong and a second account in Guadalajara. '
      ).repeat(5),
    },
    marking: MARKING,
    grade: { source: 'B', info: '2' },
    entities: [
      { id: 'p1', schema: 'Person', properties: { name: ['Li Wei'], nationality: ['cn'], phone: ['+8613800138000'] } },
      { id: 'p2', schema: 'Person', properties: { name: ['Juan Pérez'], nationality: ['mx'] } },
      { id: 'c1', schema: 'Company', properties: { name: ['Hubei Example Biotech Co., Ltd.'], country: ['cn'] } },
      { id: 'c2', schema: 'Company', properties: { name: ['Example Trading Ltd.'], country: ['hk'] } },
      { id: 'd1', schema: 'Directorship', properties: { director: ['p1'], organization: ['c1'], role: ['manager'] } },
      { id: 'd2', schema: 'Directorship', properties: { director: ['p2'], organization: ['c2'], role: ['agent'] } },
      { id: 'o1', schema: 'Ownership', properties: { owner: ['p1'], asset: ['c2'], percentage: ['60'] } },
    ],
  };
}

/** The envelope a package becomes on the wire, for the signing and INSERT baselines. */
function envelopeLike() {
  const pkg = benchPackage(0);
  return {
    v: 1,
    id: '0b5c2a8e-8a43-4c2b-9b0a-2f1d6f2c7e10',
    from: 'US',
    to: 'CN',
    seq: 1,
    type: 'package',
    sentAt: new Date().toISOString(),
    body: {
      package: {
        ...pkg,
        id: '1c6d3b9f-9b54-4d3c-8c1b-3a2e7a3d8f21',
        originParty: 'US',
        dueDate: null,
        inReplyTo: null,
        createdAt: new Date().toISOString(),
        narrative: { ...pkg.narrative, marking: MARKING },
        entities: pkg.entities.map((e) => ({ ...e, marking: MARKING })),
        attachments: [],
      },
    },
  };
}

/** Runs `op` repeatedly for at least `minMs` and returns operations per second. */
async function throughput(op: () => unknown, minMs = 1500): Promise<number> {
  for (let i = 0; i < 50; i++) await op(); // warm-up: JIT and key caches
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 50; i++) await op();
    count += 50;
    elapsed = performance.now() - start;
  }
  return perSecond(count, elapsed);
}

interface CryptoBaseline {
  joseSign: number;
  joseVerify: number;
  josePair: number;
  nodePair: number;
  jwsBytes: number;
}

async function cryptoBaseline(): Promise<CryptoBaseline> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const bytes = canonicalBytes(envelopeLike());
  const header = { alg: 'EdDSA', kid: 'bench', typ: ENVELOPE_TYP };
  const jws = await new CompactSign(bytes).setProtectedHeader(header).sign(privateKey);
  const joseSign = await throughput(() => new CompactSign(bytes).setProtectedHeader(header).sign(privateKey));
  const joseVerify = await throughput(() => compactVerify(jws, publicKey, { algorithms: ['EdDSA'] }));
  const josePair = await throughput(async () => {
    const signed = await new CompactSign(bytes).setProtectedHeader(header).sign(privateKey);
    await compactVerify(signed, publicKey, { algorithms: ['EdDSA'] });
  });
  const nodePair = await throughput(() => {
    const signature = edSign(null, bytes, privateKey);
    if (!edVerify(null, bytes, publicKey, signature)) throw new Error('node:crypto signature did not verify');
  });
  return { joseSign, joseVerify, josePair, nodePair, jwsBytes: jws.length };
}

const INSERT_TABLE = `CREATE TABLE bench_outbox (
  id bigserial PRIMARY KEY,
  peer text NOT NULL,
  seq bigint NOT NULL,
  envelope_id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  jws text NOT NULL,
  content_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (peer, seq)
)`;

/** Bare INSERTs of outbox-like rows of the real size: one per transaction, then all in one. */
async function insertBaseline(db: Db, jws: string): Promise<{ autocommit: number; batched: number }> {
  await db.query(INSERT_TABLE);
  const insert =
    'INSERT INTO bench_outbox (peer, seq, envelope_id, type, jws, content_hash) VALUES ($1, $2, $3, $4, $5, $6)';
  const hash = 'a'.repeat(64);
  let seq = 0;
  const row = () => {
    seq += 1;
    return ['CN', seq, randomUUID(), 'package', jws, hash];
  };
  // Warm-up, not counted: PGlite compiles its WebAssembly on first use.
  for (let i = 0; i < 200; i++) await db.query(insert, row());
  let start = performance.now();
  for (let i = 0; i < INSERTS; i++) await db.query(insert, row());
  const autocommit = perSecond(INSERTS, performance.now() - start);
  start = performance.now();
  await db.transaction(async (tx) => {
    for (let i = 0; i < INSERTS; i++) await tx.query(insert, row());
  });
  const batched = perSecond(INSERTS, performance.now() - start);
  return { autocommit, batched };
}

/** PGlite in data folders, as a node runs it (in memory it would pay for growing in-memory files instead). */
type Storage = { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string; schemas: string[] };

async function startNode(party: 'US' | 'CN', storage: Storage): Promise<CountersignNode> {
  const names =
    party === 'US'
      ? { en: 'United States', zh: '美国', es: 'Estados Unidos' }
      : { en: 'China', zh: '中国', es: 'China' };
  let database: { databaseUrl: string; databaseSchema: string } | { dataDir: string };
  if (storage.kind === 'postgres') {
    const schema = benchSchema(party.toLowerCase());
    storage.schemas.push(schema);
    database = { databaseUrl: storage.url, databaseSchema: schema };
  } else {
    database = { dataDir: join(storage.dir, party) };
  }
  return createNode(
    parseConfig({
      party: { code: party, names },
      http: { host: '127.0.0.1', port: 0 },
      logLevel: 'error',
      serveWeb: false,
      delivery: { batchSize: BATCH },
      ...database,
    }),
  );
}

async function userActor(node: CountersignNode, username: string, roles: Role[]): Promise<Actor> {
  const user = await createUser(
    node.ctx.db,
    { kind: 'system' },
    { username, displayName: username, password: 'correct horse battery staple', roles },
  );
  return { kind: 'user', id: user.id, username: user.username, displayName: user.displayName, roles };
}

/** Runs `work` over `items` with `concurrency` workers, as that many users at once would. */
async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function anyPending(node: CountersignNode): Promise<boolean> {
  // EXISTS on the partial index of pending rows: cheap enough to poll without slowing the run.
  const { rows } = await node.ctx.db.query<{ pending: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM outbox WHERE status = 'pending') AS pending`,
  );
  return rows[0]?.pending ?? false;
}

async function waitUntilDelivered(node: CountersignNode): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  while (await anyPending(node)) {
    if (Date.now() > deadline) throw new Error('delivery did not finish within 30 minutes');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every package sent must have been accepted by the receiver: a fast bench that drops work is no bench. */
async function checkAllAccepted(sender: CountersignNode, receiver: CountersignNode, expected: number): Promise<void> {
  const out = await sender.ctx.db.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM packages WHERE direction = 'outgoing' GROUP BY status`,
  );
  const received = await receiver.ctx.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM inbox WHERE status = 'accepted' AND type = 'package'`,
  );
  const delivered = out.rows.find((r) => r.status === 'delivered')?.n ?? 0;
  if (delivered !== expected || received.rows[0]?.n !== expected) {
    throw new Error(
      `expected ${expected} packages delivered and accepted; sender has ${JSON.stringify(out.rows)}, ` +
        `receiver accepted ${received.rows[0]?.n}`,
    );
  }
}

/** CPU milliseconds per package: this process (both nodes) and the PostgreSQL server if measurable. */
interface CpuPerPackage {
  processMs: number;
  serverMs: number | undefined;
}

interface ExchangeFigures {
  profile?: { statements: string[][]; javascript: string[][]; file: string };
  endToEndCpu: CpuPerPackage;
  prepare: number;
  send: number;
  drain: number;
  endToEnd: number;
  insertAutocommit: number;
  insertBatched: number;
}

async function measureDatabase(label: string, storage: Storage, jws: string): Promise<ExchangeFigures> {
  const step = (what: string) => process.stdout.write(`  ${label}: ${what}...\n`);

  step(`bare INSERTs (${INSERTS} autocommit, then ${INSERTS} in one transaction)`);
  let baselineDb: Db;
  if (storage.kind === 'postgres') {
    const schema = benchSchema('insert');
    storage.schemas.push(schema);
    baselineDb = await openDb({ databaseUrl: storage.url, schema, poolSize: 1 });
  } else {
    baselineDb = await openDb({ dataDir: join(storage.dir, 'insert') });
  }
  const inserts = await insertBaseline(baselineDb, jws).finally(() => baselineDb.close());

  const [us, cn] = await Promise.all([startNode('US', storage), startNode('CN', storage)]);
  try {
    await cn.listen();
    // The sender listens too, as a node does, but its worker starts only when the bench says so,
    // to measure queueing and delivery apart before measuring them together.
    await us.server.listen({ host: '127.0.0.1', port: 0 });
    const usAddress = us.server.server.address();
    const usUrl = typeof usAddress === 'object' && usAddress ? `http://127.0.0.1:${usAddress.port}` : '';
    await connectPeers({ ...us, url: () => usUrl }, cn);
    const author = await userActor(us, 'ana', ['analyst']);
    const approver = await userActor(us, 'lee', ['liaison']);

    step(`create and approve ${2 * N} packages (four-eyes)`);
    const ids: string[] = [];
    let start = performance.now();
    await inParallel(
      Array.from({ length: 2 * N }, (_, i) => i),
      SENDERS,
      async (i) => {
        const draft = await us.packages.create(author, benchPackage(i));
        await us.packages.approve(approver, draft.id);
        ids[i] = draft.id;
      },
    );
    const prepare = perSecond(2 * N, performance.now() - start);

    step(`send ${N} packages while delivery is stopped (sign + outbox commit)`);
    start = performance.now();
    await inParallel(ids.slice(0, N), SENDERS, (id) => us.packages.send(approver, id));
    const send = perSecond(N, performance.now() - start);

    const cpu = storage.kind === 'postgres' ? await CpuMeter.forServer(storage.url) : CpuMeter.forThisProcess();
    const cpuSince = async (before: Awaited<ReturnType<CpuMeter['read']>>): Promise<CpuPerPackage> => {
      const after = await cpu.read();
      return {
        processMs: (after.processMs - before.processMs) / N,
        serverMs:
          after.serverMs === undefined || before.serverMs === undefined
            ? undefined
            : (after.serverMs - before.serverMs) / N,
      };
    };

    step(`start delivery and drain the ${N} queued packages`);
    start = performance.now();
    us.startWorker();
    await waitUntilDelivered(us);
    const drain = perSecond(N, performance.now() - start);
    await checkAllAccepted(us, cn, N);

    step(`end to end: send ${N} more packages with delivery running, until the last receipt is recorded`);
    const profile = PROFILE ? new TimeProfile() : undefined;
    if (profile) {
      profile.attachDb(us.ctx.db, 'sender');
      profile.attachDb(cn.ctx.db, 'receiver');
      profile.attachMethod(us.packages, 'send', 'sender packages.send() (all of it)');
      profile.attachMethod(us.exchange, 'deliverBatch', 'sender deliverBatch() (all of it)');
      profile.attachMethod(cn.exchange, 'receive', 'receiver receive() (all of it)');
    }
    const jsProfile = PROFILE ? new JsProfile() : undefined;
    await jsProfile?.start();
    const cpuBefore = await cpu.read();
    start = performance.now();
    await inParallel(ids.slice(N), SENDERS, (id) => us.packages.send(approver, id));
    await waitUntilDelivered(us);
    const endToEnd = perSecond(N, performance.now() - start);
    const endToEndCpu = await cpuSince(cpuBefore);
    profile?.detach();
    const profileFile = join(tmpdir(), `countersign-exchange-${label}.cpuprofile`);
    const jsTotals = await jsProfile?.stop(profileFile);
    await checkAllAccepted(us, cn, 2 * N);

    return {
      ...(profile && jsTotals
        ? {
            profile: {
              statements: profile.rows(N),
              javascript: [...jsTotals]
                .sort((a, b) => b[1] - a[1])
                .slice(0, 20)
                .map(([source, ms]) => [source, (ms / N).toFixed(3)]),
              file: profileFile,
            },
          }
        : {}),
      endToEndCpu,
      prepare,
      send,
      drain,
      endToEnd,
      insertAutocommit: inserts.autocommit,
      insertBatched: inserts.batched,
    };
  } finally {
    await Promise.all([us.close(), cn.close()]);
  }
}

export async function run(): Promise<void> {
  const settings = {
    BENCH_N: N,
    BENCH_SENDERS: SENDERS,
    BENCH_BATCH: BATCH,
    BENCH_INSERT_N: INSERTS,
    ...(process.env.BENCH_DB ? { BENCH_DB: DATABASES.join(',') } : {}),
    ...(PROFILE ? { BENCH_PROFILE: 1 } : {}),
  };
  console.log('Countersign exchange benchmark');
  console.log(`command:  ${commandLine('exchange', settings)}`);
  console.log(`machine:  ${machine()}`);
  const loadAtStart = loadAverage();

  const postgres = DATABASES.includes('postgres')
    ? await acquirePostgres()
    : ({ available: false, reason: 'not in BENCH_DB' } as const);
  const databases = [
    ...(DATABASES.includes('pglite') ? [`PGlite (data folders in ${tmpdir()}; both nodes in this process)`] : []),
    ...(postgres.available ? [`${postgres.settings} via ${postgres.origin}`] : []),
  ];
  console.log(`database: ${databases.join(' and ') || 'none'}`);
  if (!postgres.available) console.log(`          PostgreSQL skipped: ${postgres.reason}`);
  console.log('\nmeasuring Ed25519 baselines...');
  const signing = await cryptoBaseline();
  const sampleJws = await new CompactSign(canonicalBytes(envelopeLike()))
    .setProtectedHeader({ alg: 'EdDSA', kid: 'bench', typ: ENVELOPE_TYP })
    .sign(generateKeyPairSync('ed25519').privateKey);

  const results: { label: string; figures: ExchangeFigures }[] = [];
  if (DATABASES.includes('pglite')) {
    const dir = await mkdtemp(join(tmpdir(), 'countersign-bench-'));
    try {
      console.log('measuring PGlite...');
      results.push({ label: 'PGlite', figures: await measureDatabase('PGlite', { kind: 'pglite', dir }, sampleJws) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  if (postgres.available) {
    const storage: Storage = { kind: 'postgres', url: postgres.url, schemas: [] };
    try {
      console.log('measuring PostgreSQL...');
      results.push({ label: 'PostgreSQL', figures: await measureDatabase('PostgreSQL', storage, sampleJws) });
    } finally {
      await dropSchemas(postgres.url, storage.schemas).catch(() => undefined);
      await postgres.release();
    }
  }

  console.log(
    `\nEd25519 over a ${signing.jwsBytes}-byte envelope (one package: ${sampleJws.length} bytes as compact JWS)`,
  );
  printTable(
    ['baseline', 'ops/s'],
    [
      ['jose CompactSign', formatRate(signing.joseSign)],
      ['jose compactVerify', formatRate(signing.joseVerify)],
      ['jose sign + verify', formatRate(signing.josePair)],
      ['node:crypto sign + verify', formatRate(signing.nodePair)],
    ],
  );

  console.log(
    `\nPackages between two nodes over loopback HTTP (N=${N}, ${SENDERS} concurrent senders, batch ${BATCH})`,
  );
  const column = (pick: (f: ExchangeFigures, label: string) => string) => results.map((r) => pick(r.figures, r.label));
  const cores = cpus().length;
  // Each package costs two signatures and two verifications: the envelope and its receipt.
  const cryptoCeiling = signing.josePair / 2;
  printTable(
    ['measure', ...results.map((r) => r.label)],
    [
      ['bare INSERT, 1 row per transaction (rows/s)', ...column((f) => formatRate(f.insertAutocommit))],
      [`bare INSERT, ${INSERTS} rows in 1 transaction (rows/s)`, ...column((f) => formatRate(f.insertBatched))],
      ['create + approve, four-eyes (packages/s)', ...column((f) => formatRate(f.prepare))],
      ['send: release check, sign, outbox commit (packages/s)', ...column((f) => formatRate(f.send))],
      ['drain a backlog: HTTP, verify, inbox, receipts (packages/s)', ...column((f) => formatRate(f.drain))],
      ['END TO END: send to receipt recorded (packages/s)', ...column((f) => formatRate(f.endToEnd))],
      ['CPU per package end to end, Node.js: both nodes (ms)', ...column((f) => f.endToEndCpu.processMs.toFixed(2))],
      [
        'CPU per package end to end, PostgreSQL server (ms)',
        ...column((f, label) =>
          label === 'PGlite' ? 'in Node.js' : (f.endToEndCpu.serverMs?.toFixed(2) ?? 'not measurable'),
        ),
      ],
      [
        `ceiling from CPU alone: ${cores} cores ÷ CPU per package (packages/s)`,
        ...column((f) => formatRate((cores * 1000) / (f.endToEndCpu.processMs + (f.endToEndCpu.serverMs ?? 0)))),
      ],
      [
        'end to end ÷ bare INSERT, 1 row per transaction',
        ...column((f) => (f.endToEnd / f.insertAutocommit).toFixed(2)),
      ],
      ['end to end ÷ bare INSERT, batched', ...column((f) => (f.endToEnd / f.insertBatched).toFixed(3))],
      [
        'end to end ÷ signing ceiling (jose sign + verify ÷ 2)',
        ...column((f) => (f.endToEnd / cryptoCeiling).toFixed(3)),
      ],
    ],
  );

  console.log(`\nload average (1 min): ${loadAtStart} at start, ${loadAverage()} at end, on ${cores} cores`);

  for (const { label, figures } of results) {
    if (!figures.profile) continue;
    console.log(`\nWhere the time goes end to end on ${label} (wall time; nested and concurrent items overlap)`);
    printTable(['step or statement', 'ms/package', 'calls/package', 'ms/call'], figures.profile.statements);
    console.log(`\nJavaScript self time end to end on ${label}, by source (profile: ${figures.profile.file})`);
    printTable(['source', 'ms/package'], figures.profile.javascript);
  }

  const pgResult = results.find((r) => r.label === 'PostgreSQL');
  console.log(
    pgResult
      ? `\ntarget ≥ ${TARGET_PER_SECOND} packages/s end to end on PostgreSQL: ${
          pgResult.figures.endToEnd >= TARGET_PER_SECOND ? 'met' : 'NOT met'
        } (${formatRate(pgResult.figures.endToEnd)}/s)`
      : `\ntarget ≥ ${TARGET_PER_SECOND} packages/s on PostgreSQL: not measured (PostgreSQL skipped)`,
  );
}
