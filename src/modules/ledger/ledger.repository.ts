import type { Queryable } from '../../store/db.ts';

export interface LeafRow {
  idx: string;
  at: Date;
  event_type: string;
  event: string;
  leaf_hash: string;
}

export interface HeadRow {
  tree_size: string;
  root_hash: string;
  signed_at: Date;
  kid: string;
  jws: string;
}

export interface CountersignatureRow {
  tree_size: string;
  party: string;
  kid: string;
  jws: string;
  received_at: Date;
}

export interface PeerHeadRow {
  party: string;
  tree_size: string;
  root_hash: string;
  signed_at: Date;
  head_jws: string;
  countersignature_jws: string;
  consistency: { fromSize: number; proof: string[] } | null;
  received_at: Date;
}

/**
 * Reserves `count` leaf numbers and returns the first. The UPDATE locks the state row until the
 * caller's transaction ends, so appends are serialised and numbered in commit order.
 */
export async function reserveLeaves(db: Queryable, count: number): Promise<number> {
  const { rows } = await db.query<{ size: string }>(
    'UPDATE ledger_state SET size = size + $1 WHERE singleton RETURNING size',
    [count],
  );
  const row = rows[0];
  if (!row) throw new Error('ledger_state row missing: the 002_ledger migration did not run');
  return Number(row.size) - count;
}

/** One multi-row INSERT for all the leaves of one transaction. */
export async function insertLeaves(
  db: Queryable,
  leaves: { idx: number; at: string; eventType: string; event: string; leafHash: string }[],
): Promise<void> {
  const params: unknown[] = [];
  const tuples = leaves.map((leaf) => {
    const n = params.push(leaf.idx, leaf.at, leaf.eventType, leaf.event, leaf.leafHash);
    return `($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
  });
  await db.query(
    `INSERT INTO ledger_leaves (idx, at, event_type, event, leaf_hash) VALUES ${tuples.join(', ')}`,
    params,
  );
}

export async function selectLedgerSize(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ size: string }>('SELECT size FROM ledger_state');
  return Number(rows[0]?.size ?? 0);
}

export async function selectLeaves(db: Queryable, from: number, limit: number): Promise<LeafRow[]> {
  return (await db.query<LeafRow>('SELECT * FROM ledger_leaves WHERE idx >= $1 ORDER BY idx LIMIT $2', [from, limit]))
    .rows;
}

export async function selectLeafHashes(
  db: Queryable,
  from: number,
  to: number,
): Promise<{ idx: string; leaf_hash: string }[]> {
  return (
    await db.query<{ idx: string; leaf_hash: string }>(
      'SELECT idx, leaf_hash FROM ledger_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx',
      [from, to],
    )
  ).rows;
}

export async function insertHead(
  db: Queryable,
  head: { treeSize: number; rootHash: string; timestamp: string; kid: string; jws: string },
): Promise<void> {
  await db.query('INSERT INTO ledger_heads (tree_size, root_hash, signed_at, kid, jws) VALUES ($1, $2, $3, $4, $5)', [
    head.treeSize,
    head.rootHash,
    head.timestamp,
    head.kid,
    head.jws,
  ]);
}

export async function selectLatestHead(db: Queryable): Promise<HeadRow | undefined> {
  return (await db.query<HeadRow>('SELECT * FROM ledger_heads ORDER BY tree_size DESC LIMIT 1')).rows[0];
}

export async function selectHead(db: Queryable, treeSize: number): Promise<HeadRow | undefined> {
  return (await db.query<HeadRow>('SELECT * FROM ledger_heads WHERE tree_size = $1', [treeSize])).rows[0];
}

/** Heads newest first, below `before` (a tree size) when given. */
export async function selectHeads(db: Queryable, before: number | null, limit: number): Promise<HeadRow[]> {
  return (
    await db.query<HeadRow>(
      'SELECT * FROM ledger_heads WHERE ($1::bigint IS NULL OR tree_size < $1) ORDER BY tree_size DESC LIMIT $2',
      [before, limit],
    )
  ).rows;
}

export async function selectCountersignatures(db: Queryable, treeSizes: number[]): Promise<CountersignatureRow[]> {
  return (
    await db.query<CountersignatureRow>(
      'SELECT * FROM ledger_countersignatures WHERE tree_size = ANY($1::bigint[]) ORDER BY tree_size, party',
      [treeSizes],
    )
  ).rows;
}

/** The largest of our tree sizes `party` has countersigned: where the next consistency proof starts. */
export async function selectLatestCountersignedSize(db: Queryable, party: string): Promise<number | undefined> {
  const { rows } = await db.query<{ size: string | null }>(
    'SELECT max(tree_size) AS size FROM ledger_countersignatures WHERE party = $1',
    [party],
  );
  return rows[0]?.size == null ? undefined : Number(rows[0].size);
}

export async function insertCountersignature(
  db: Queryable,
  row: { treeSize: number; party: string; kid: string; jws: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO ledger_countersignatures (tree_size, party, kid, jws) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tree_size, party) DO NOTHING`,
    [row.treeSize, row.party, row.kid, row.jws],
  );
  return rowCount > 0;
}

export async function selectLatestPeerHead(db: Queryable, party: string): Promise<PeerHeadRow | undefined> {
  return (
    await db.query<PeerHeadRow>('SELECT * FROM ledger_peer_heads WHERE party = $1 ORDER BY tree_size DESC LIMIT 1', [
      party,
    ])
  ).rows[0];
}

export async function selectPeerHead(db: Queryable, party: string, treeSize: number): Promise<PeerHeadRow | undefined> {
  return (
    await db.query<PeerHeadRow>('SELECT * FROM ledger_peer_heads WHERE party = $1 AND tree_size = $2', [
      party,
      treeSize,
    ])
  ).rows[0];
}

/** The peer heads we countersigned, newest first, below `before` when given. */
export async function selectPeerHeads(db: Queryable, before: number | null, limit: number): Promise<PeerHeadRow[]> {
  return (
    await db.query<PeerHeadRow>(
      `SELECT * FROM ledger_peer_heads WHERE ($1::bigint IS NULL OR tree_size < $1)
       ORDER BY tree_size DESC, party LIMIT $2`,
      [before, limit],
    )
  ).rows;
}

export async function insertPeerHead(
  db: Queryable,
  row: {
    party: string;
    treeSize: number;
    rootHash: string;
    timestamp: string;
    headJws: string;
    countersignatureJws: string;
    consistency: { fromSize: number; proof: string[] } | null;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO ledger_peer_heads (party, tree_size, root_hash, signed_at, head_jws, countersignature_jws, consistency)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      row.party,
      row.treeSize,
      row.rootHash,
      row.timestamp,
      row.headJws,
      row.countersignatureJws,
      row.consistency ? JSON.stringify(row.consistency) : null,
    ],
  );
}
