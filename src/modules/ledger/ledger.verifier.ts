import type { KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Queryable } from '../../store/db.ts';
import { publicKeyObject, type PublicJwk } from '../parties/keys.ts';
import { selectIdentity, selectPeerKeys, selectSigningKeys } from '../parties/parties.repository.ts';
import {
  selectLedgerSize,
  selectLeaves,
  type CountersignatureRow,
  type HeadRow,
  type PeerHeadRow,
} from './ledger.repository.ts';
import { leafHash, MerkleTree, verifyConsistency } from './merkle.ts';
import { COUNTERSIGNATURE_TYP, jwsKid, sameHead, TREE_HEAD_TYP, verifyTreeHead, type TreeHead } from './tree-head.ts';

/** The first thing found wrong, in log order: leaves and our heads as the log grows, then the peer's heads. */
export interface BrokenEntry {
  kind: 'leaf' | 'tree_head' | 'countersignature' | 'peer_head';
  /** Human-readable name of the entry, e.g. "leaf 17" or "tree head at size 40". */
  entry: string;
  problem: string;
  index?: number;
  treeSize?: number;
  party?: string;
}

export interface VerifyReport {
  ok: boolean;
  party: string;
  leaves: number;
  heads: number;
  countersignatures: number;
  peerHeads: number;
  firstBroken?: BrokenEntry;
}

/** Thrown inside the check to stop at the first broken entry. */
class Broken extends Error {
  constructor(readonly entry: BrokenEntry) {
    super(`${entry.entry}: ${entry.problem}`);
  }
}

const PAGE = 5000;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const sameInstant = (a: Date | string, b: Date | string): boolean => new Date(a).getTime() === new Date(b).getTime();
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function keyOf(jwk: PublicJwk): KeyObject | undefined {
  try {
    return publicKeyObject(jwk);
  } catch {
    return undefined;
  }
}

/**
 * Rebuilds the log from its stored events and checks it end to end: every leaf's number, event
 * and hash; every signed head's root against the rebuilt tree and its signature against this
 * node's keys (retired ones too); every countersignature against the peer's pinned keys; and the
 * peer heads this node countersigned, with their consistency proofs. Stops at the first problem.
 * Reads only: safe on a running node's database and on a copy.
 * @throws Error when the database holds no node at all
 */
export async function verifyRecord(db: Queryable): Promise<VerifyReport> {
  const identity = await selectIdentity(db);
  if (!identity) throw new Error('no node identity in this database: it was never started');
  const party = identity.party_code;
  const ownKeys = new Map<string, KeyObject | undefined>(
    (await selectSigningKeys(db)).map((k) => [k.kid, keyOf(k.public_jwk)]),
  );
  const peerKeys = new Map<string, KeyObject | undefined>(
    (await selectPeerKeys(db)).map((k) => [`${k.party_code} ${k.kid}`, keyOf(k.public_jwk)]),
  );
  const recordedSize = await selectLedgerSize(db);
  const heads = (await db.query<HeadRow>('SELECT * FROM ledger_heads ORDER BY tree_size')).rows;
  const countersignatures = (
    await db.query<CountersignatureRow>('SELECT * FROM ledger_countersignatures ORDER BY tree_size, party')
  ).rows;
  const peerHeads = (await db.query<PeerHeadRow>('SELECT * FROM ledger_peer_heads ORDER BY party, tree_size')).rows;
  const report: VerifyReport = {
    ok: true,
    party,
    leaves: 0,
    heads: heads.length,
    countersignatures: countersignatures.length,
    peerHeads: peerHeads.length,
  };

  const tree = new MerkleTree();
  let nextHead = 0;
  let previousHead: TreeHead | undefined;

  const checkHead = async (row: HeadRow): Promise<void> => {
    const treeSize = Number(row.tree_size);
    const fail = (problem: string) =>
      new Broken({ kind: 'tree_head', entry: `tree head at size ${treeSize}`, problem, treeSize });
    let head: TreeHead;
    try {
      const kid = jwsKid(row.jws);
      const key = ownKeys.get(kid);
      if (!key) throw new Error(`signed with key ${kid}, which is not one of this node’s keys`);
      head = await verifyTreeHead(row.jws, key, TREE_HEAD_TYP);
    } catch (error) {
      throw fail(`signature: ${message(error)}`);
    }
    if (head.log !== party) throw fail(`signs the log of ${head.log}, not ${party}`);
    if (head.treeSize !== treeSize) throw fail(`the signed head is of size ${head.treeSize}`);
    if (head.rootHash !== row.root_hash) throw fail('the stored root differs from the signed one');
    if (!sameInstant(head.timestamp, row.signed_at)) throw fail('the stored time differs from the signed one');
    if (row.kid !== jwsKid(row.jws)) throw fail('the stored key id differs from the signature’s');
    if (previousHead && Date.parse(head.timestamp) < Date.parse(previousHead.timestamp))
      throw fail(`dated before the head of size ${previousHead.treeSize}`);
    if (hex(tree.rootHash(treeSize)) !== head.rootHash)
      throw fail('the signed root does not match the root of the stored leaves');
    for (const cs of countersignatures.filter((c) => Number(c.tree_size) === treeSize)) {
      const failCs = (problem: string) =>
        new Broken({
          kind: 'countersignature',
          entry: `countersignature by ${cs.party} of the tree head at size ${treeSize}`,
          problem,
          treeSize,
          party: cs.party,
        });
      let signed: TreeHead;
      try {
        const kid = jwsKid(cs.jws);
        const key = peerKeys.get(`${cs.party} ${kid}`);
        if (!key) throw new Error(`signed with key ${kid}, which is not pinned for ${cs.party}`);
        signed = await verifyTreeHead(cs.jws, key, COUNTERSIGNATURE_TYP);
      } catch (error) {
        throw failCs(`signature: ${message(error)}`);
      }
      if (!sameHead(signed, head)) throw failCs('signs a different head');
    }
    previousHead = head;
  };

  try {
    let index = 0;
    for (;;) {
      const rows = await selectLeaves(db, index, PAGE);
      for (const row of rows) {
        const fail = (problem: string) => new Broken({ kind: 'leaf', entry: `leaf ${index}`, problem, index });
        const stored = Number(row.idx);
        if (stored !== index) throw fail(`missing (the next stored leaf is ${stored})`);
        if (index >= recordedSize) throw fail(`beyond the log’s recorded size of ${recordedSize} leaves`);
        let event: Record<string, unknown>;
        try {
          event = JSON.parse(row.event) as Record<string, unknown>;
        } catch {
          throw fail('the event is not JSON');
        }
        if (canonicalize(event) !== row.event) throw fail('the event is not in canonical form');
        if (event.idx !== index) throw fail(`the event records index ${String(event.idx)}`);
        const hash = leafHash(row.event);
        if (hex(hash) !== row.leaf_hash) throw fail('the event does not hash to the stored leaf hash');
        if (event.event !== row.event_type) throw fail('the stored event type differs from the event');
        if (typeof event.at !== 'string' || !sameInstant(event.at, row.at))
          throw fail('the stored time differs from the event');
        tree.append(hash);
        index += 1;
        while (heads[nextHead] && Number(heads[nextHead]?.tree_size) === index) {
          await checkHead(heads[nextHead] as HeadRow);
          nextHead += 1;
        }
      }
      if (rows.length < PAGE) break;
    }
    report.leaves = index;
    if (index < recordedSize)
      throw new Broken({
        kind: 'leaf',
        entry: `leaf ${index}`,
        problem: `missing (the log records ${recordedSize} leaves)`,
        index,
      });
    const beyond = heads[nextHead];
    if (beyond) {
      const treeSize = Number(beyond.tree_size);
      throw new Broken({
        kind: 'tree_head',
        entry: `tree head at size ${treeSize}`,
        problem: `the log has only ${index} leaves`,
        treeSize,
      });
    }
    const ownHeadSizes = new Set(heads.map((h) => Number(h.tree_size)));
    const orphan = countersignatures.find((c) => !ownHeadSizes.has(Number(c.tree_size)));
    if (orphan) {
      throw new Broken({
        kind: 'countersignature',
        entry: `countersignature by ${orphan.party} of the tree head at size ${orphan.tree_size}`,
        problem: 'there is no such head',
        treeSize: Number(orphan.tree_size),
        party: orphan.party,
      });
    }
    await checkPeerHeads(peerHeads, ownKeys, peerKeys);
  } catch (error) {
    if (!(error instanceof Broken)) throw error;
    return { ...report, ok: false, firstBroken: error.entry };
  }
  return report;
}

/** The peer's heads we countersigned: its signature, ours, growth, and the consistency proofs it sent. */
async function checkPeerHeads(
  rows: PeerHeadRow[],
  ownKeys: Map<string, KeyObject | undefined>,
  peerKeys: Map<string, KeyObject | undefined>,
): Promise<void> {
  const byParty = new Map<string, Map<number, TreeHead>>();
  let previous: { party: string; head: TreeHead } | undefined;
  for (const row of rows) {
    const treeSize = Number(row.tree_size);
    const fail = (problem: string) =>
      new Broken({
        kind: 'peer_head',
        entry: `tree head of ${row.party} at size ${treeSize}`,
        problem,
        treeSize,
        party: row.party,
      });
    let head: TreeHead;
    let countersigned: TreeHead;
    try {
      const kid = jwsKid(row.head_jws);
      const key = peerKeys.get(`${row.party} ${kid}`);
      if (!key) throw new Error(`signed with key ${kid}, which is not pinned for ${row.party}`);
      head = await verifyTreeHead(row.head_jws, key, TREE_HEAD_TYP);
    } catch (error) {
      throw fail(`the peer’s signature: ${message(error)}`);
    }
    try {
      const kid = jwsKid(row.countersignature_jws);
      const key = ownKeys.get(kid);
      if (!key) throw new Error(`signed with key ${kid}, which is not one of this node’s keys`);
      countersigned = await verifyTreeHead(row.countersignature_jws, key, COUNTERSIGNATURE_TYP);
    } catch (error) {
      throw fail(`our countersignature: ${message(error)}`);
    }
    if (!sameHead(head, countersigned)) throw fail('our countersignature signs a different head');
    if (head.log !== row.party) throw fail(`signs the log of ${head.log}`);
    if (head.treeSize !== treeSize || head.rootHash !== row.root_hash || !sameInstant(head.timestamp, row.signed_at))
      throw fail('the stored size, root or time differs from the signed head');
    if (previous?.party === row.party && Date.parse(head.timestamp) < Date.parse(previous.head.timestamp))
      throw fail(`dated before the head of size ${previous.head.treeSize}`);
    const known = byParty.get(row.party) ?? new Map<number, TreeHead>();
    byParty.set(row.party, known);
    if (row.consistency) {
      const earlier = known.get(row.consistency.fromSize);
      if (!earlier) throw fail(`its consistency proof starts from size ${row.consistency.fromSize}, a head not stored`);
      const proven = verifyConsistency(
        earlier.treeSize,
        head.treeSize,
        Buffer.from(earlier.rootHash, 'hex'),
        Buffer.from(head.rootHash, 'hex'),
        row.consistency.proof.map((p) => Buffer.from(p, 'hex')),
      );
      if (!proven) throw fail(`not consistent with the head of size ${earlier.treeSize}`);
    }
    known.set(treeSize, head);
    previous = { party: row.party, head };
  }
}
