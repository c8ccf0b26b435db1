import canonicalize from 'canonicalize';
import { z } from 'zod';
import { DomainError, notFound, validationError } from '../../common/errors.ts';
import { parseWith } from '../../common/validation.ts';
import { audit } from '../../platform/audit.ts';
import type { NodeContext } from '../../platform/context.ts';
import type { Queryable } from '../../store/db.ts';
import type { Envelope } from '../exchange/envelope.ts';
import type { Exchange, ExchangeEvent } from '../exchange/exchange.service.ts';
import { selectPeers } from '../parties/parties.repository.ts';
import type { KeyRing } from '../parties/parties.service.ts';
import {
  insertCountersignature,
  insertHead,
  insertLeaves,
  insertPeerHead,
  reserveLeaves,
  selectCountersignatures,
  selectHead,
  selectHeads,
  selectLatestCountersignedSize,
  selectLatestHead,
  selectLatestPeerHead,
  selectLeafHashes,
  selectLeaves,
  selectLedgerSize,
  selectPeerHead,
  selectPeerHeads,
  type HeadRow,
} from './ledger.repository.ts';
import { verifyRecord, type VerifyReport } from './ledger.verifier.ts';
import { leafHash, MerkleTree, verifyConsistency } from './merkle.ts';
import {
  COUNTERSIGNATURE_TYP,
  CountersignatureMessageSchema,
  jwsKid,
  MSG_COUNTERSIGNATURE,
  MSG_TREE_HEAD,
  sameHead,
  signTreeHead,
  TREE_HEAD_TYP,
  TreeHeadMessageSchema,
  TreeHeadSchema,
  verifyTreeHead,
  type TreeHead,
} from './tree-head.ts';

/** One event to record: its name and its facts, all JSON. */
export interface LedgerEvent {
  event: string;
  [field: string]: unknown;
}

export interface SignedHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  kid: string;
  jws: string;
  countersignatures: { party: string; kid: string; jws: string; receivedAt: string }[];
}

export interface PeerHead {
  party: string;
  treeSize: number;
  rootHash: string;
  timestamp: string;
  headJws: string;
  countersignatureJws: string;
  /** The earlier head of that log the peer proved this one consistent with, if it could. */
  consistencyFrom: number | null;
  receivedAt: string;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const unhex = (text: string): Buffer => Buffer.from(text, 'hex');
const iso = (date: Date): string => new Date(date).toISOString();

const count = (max: number) => z.coerce.number().int('must be a whole number').min(0, 'must be 0 or more').max(max);
export const LeavesQuerySchema = z.object({
  from: count(Number.MAX_SAFE_INTEGER).default(0),
  limit: count(1000).min(1, 'must be at least 1').default(100),
});
export const HeadsQuerySchema = z.object({
  before: count(Number.MAX_SAFE_INTEGER).optional(),
  limit: count(1000).min(1, 'must be at least 1').default(50),
});
export const InclusionQuerySchema = z.object({
  index: count(Number.MAX_SAFE_INTEGER),
  treeSize: count(Number.MAX_SAFE_INTEGER).min(1, 'must be at least 1').optional(),
});
export const ConsistencyQuerySchema = z.object({
  first: count(Number.MAX_SAFE_INTEGER).min(1, 'must be at least 1'),
  second: count(Number.MAX_SAFE_INTEGER).min(1, 'must be at least 1').optional(),
});

/** Reads the head a JWS signs without verifying it: for our own stored heads, verified elsewhere. */
function headOf(jws: string): TreeHead {
  const payload: unknown = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8'));
  return TreeHeadSchema.parse(payload);
}

/**
 * The node's verifiable record: every exchange event becomes a leaf of an RFC 9162 Merkle log,
 * in the transaction of the event itself; signed tree heads go to each peer, which countersigns
 * them; proofs are served from an in-memory copy of the tree that catches up from the database.
 */
export class LedgerService {
  private readonly tree = new MerkleTree();
  /** Catching the tree up and making heads each run one at a time. */
  private treeQueue: Promise<unknown> = Promise.resolve();
  private headQueue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly ctx: NodeContext,
    private readonly keyring: KeyRing,
    private readonly exchange: Exchange,
  ) {
    exchange.onRecord((tx, events) => this.recordExchange(tx, events));
    exchange.on(MSG_TREE_HEAD, {
      receive: (tx, env) => this.receiveTreeHead(tx, env),
      rejected: async (tx, refusals) => {
        for (const d of refusals) {
          this.ctx.log.warn({ peer: d.peer, reason: d.reason }, 'peer refused to countersign a tree head');
          await audit(tx, { kind: 'peer', party: d.peer }, 'ledger.head_refused', { type: 'tree_head' }, d);
        }
      },
    });
    exchange.on(MSG_COUNTERSIGNATURE, { receive: (tx, env) => this.receiveCountersignature(tx, env) });
  }

  /**
   * Appends `events` as leaves inside the caller's transaction and returns the first index. The
   * state row stays locked until that transaction ends, so leaves are numbered in commit order.
   */
  async append(tx: Queryable, events: LedgerEvent[]): Promise<number> {
    if (events.length === 0) return -1;
    const first = await reserveLeaves(tx, events.length);
    const at = new Date().toISOString();
    await insertLeaves(
      tx,
      events.map((event, i) => {
        const text = canonicalize({ ...event, v: 1, idx: first + i, at });
        if (text === undefined) throw new Error('ledger event has no canonical JSON form');
        return { idx: first + i, at, eventType: event.event, event: text, leafHash: hex(leafHash(text)) };
      }),
    );
    return first;
  }

  /**
   * The ledger's own messages (heads, countersignatures) are not leaves: they attest the log, and
   * recording them would make every head a new leaf that calls for another head.
   */
  private async recordExchange(tx: Queryable, events: ExchangeEvent[]): Promise<void> {
    const recorded = events.filter((e) => !e.messageType.startsWith('ledger.'));
    if (recorded.length > 0) await this.append(tx, recorded);
  }

  async size(): Promise<number> {
    return selectLedgerSize(this.ctx.db);
  }

  /** Leaves not yet covered by a signed head. */
  async unsignedLeaves(): Promise<number> {
    const [size, latest] = await Promise.all([selectLedgerSize(this.ctx.db), selectLatestHead(this.ctx.db)]);
    return size - (latest ? Number(latest.tree_size) : 0);
  }

  /** The in-memory tree, caught up to at least `size` leaves from the database. */
  private treeAt(size: number): Promise<MerkleTree> {
    const run = this.treeQueue.then(async () => {
      while (this.tree.size < size) {
        const from = this.tree.size;
        const rows = await selectLeafHashes(this.ctx.db, from, Math.min(size, from + 10_000));
        for (const row of rows) {
          if (Number(row.idx) !== this.tree.size) break;
          this.tree.append(unhex(row.leaf_hash));
        }
        if (this.tree.size === from) throw new Error(`ledger leaf ${from} is missing: run countersign verify`);
      }
      return this.tree;
    });
    this.treeQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * Signs a head over every leaf committed so far and queues it to each peer, with a consistency
   * proof from the latest head that peer countersigned. Does nothing when no leaf is new.
   */
  makeTreeHead(): Promise<SignedHead | undefined> {
    const run = this.headQueue.then(() => this.signNextHead());
    this.headQueue = run.catch(() => undefined);
    return run;
  }

  private async signNextHead(): Promise<SignedHead | undefined> {
    const { db } = this.ctx;
    // Every leaf below the committed size is committed too: they share the appending transaction.
    const size = await selectLedgerSize(db);
    const latest = await selectLatestHead(db);
    if (size === 0 || (latest && Number(latest.tree_size) >= size)) return undefined;
    const tree = await this.treeAt(size);
    const head: TreeHead = {
      v: 1,
      log: this.keyring.party,
      treeSize: size,
      rootHash: hex(tree.rootHash(size)),
      // Never dated before the previous head, even if the clock stepped back: the peer would refuse it.
      timestamp: new Date(Math.max(Date.now(), latest ? new Date(latest.signed_at).getTime() + 1 : 0)).toISOString(),
    };
    const signer = this.keyring.signingKey();
    const jws = await signTreeHead(head, signer, TREE_HEAD_TYP);
    await db.transaction(async (tx) => {
      await insertHead(tx, { ...head, kid: signer.kid, jws });
      for (const peer of await selectPeers(tx)) {
        const from = await selectLatestCountersignedSize(tx, peer.party_code);
        const consistency =
          from !== undefined && from < size
            ? { consistency: { fromSize: from, proof: tree.consistencyProof(from, size).map(hex) } }
            : {};
        await this.exchange.enqueue(tx, {
          to: peer.party_code,
          type: MSG_TREE_HEAD,
          body: { head: jws, ...consistency },
        });
      }
    });
    this.exchange.notify();
    return {
      treeSize: size,
      rootHash: head.rootHash,
      timestamp: head.timestamp,
      kid: signer.kid,
      jws,
      countersignatures: [],
    };
  }

  /**
   * A peer's head: checked (signature, its own log, larger than the last one, consistent with an
   * earlier one when a proof comes), stored, countersigned, and the countersignature sent back.
   * @throws DomainError validation_failed: the head is refused and the peer told why
   */
  private async receiveTreeHead(tx: Queryable, env: Envelope): Promise<void> {
    const body = parseWith(TreeHeadMessageSchema, env.body, 'body');
    const kid = jwsKid(body.head);
    const key = this.keyring.peerKey(env.from, kid, { allowRetired: true });
    if (!key)
      throw new DomainError('validation_failed', `tree head signed with key ${kid}, not pinned for ${env.from}`);
    const head = await verifyTreeHead(body.head, key, TREE_HEAD_TYP);
    if (head.log !== env.from)
      throw new DomainError('validation_failed', `a tree head of the log of ${head.log} cannot come from ${env.from}`);
    const latest = await selectLatestPeerHead(tx, env.from);
    if (latest && head.treeSize <= Number(latest.tree_size)) {
      throw new DomainError(
        'validation_failed',
        `tree head of size ${head.treeSize} does not grow past the countersigned head of size ${latest.tree_size}`,
      );
    }
    if (latest && Date.parse(head.timestamp) < new Date(latest.signed_at).getTime()) {
      throw new DomainError(
        'validation_failed',
        `tree head is dated before the countersigned head of size ${latest.tree_size}`,
      );
    }
    let consistency: { fromSize: number; proof: string[] } | null = null;
    if (body.consistency) {
      const earlier = await selectPeerHead(tx, env.from, body.consistency.fromSize);
      // A proof from a head this node never countersigned cannot be checked here; the sizes still must grow.
      if (earlier) {
        const proven = verifyConsistency(
          body.consistency.fromSize,
          head.treeSize,
          unhex(earlier.root_hash),
          unhex(head.rootHash),
          body.consistency.proof.map(unhex),
        );
        if (!proven) {
          throw new DomainError(
            'validation_failed',
            `the log of ${env.from} at size ${head.treeSize} is not consistent with its head of size ${body.consistency.fromSize}`,
          );
        }
        consistency = body.consistency;
      }
    }
    const countersignature = await signTreeHead(head, this.keyring.signingKey(), COUNTERSIGNATURE_TYP);
    await insertPeerHead(tx, {
      party: env.from,
      treeSize: head.treeSize,
      rootHash: head.rootHash,
      timestamp: head.timestamp,
      headJws: body.head,
      countersignatureJws: countersignature,
      consistency,
    });
    await this.exchange.enqueue(tx, {
      to: env.from,
      type: MSG_COUNTERSIGNATURE,
      body: { treeSize: head.treeSize, countersignature },
    });
  }

  /** The peer's countersignature of one of our heads. @throws DomainError validation_failed, not_found */
  private async receiveCountersignature(tx: Queryable, env: Envelope): Promise<void> {
    const body = parseWith(CountersignatureMessageSchema, env.body, 'body');
    const row = await selectHead(tx, body.treeSize);
    if (!row) throw notFound('tree head of size', String(body.treeSize));
    const kid = jwsKid(body.countersignature);
    const key = this.keyring.peerKey(env.from, kid, { allowRetired: true });
    if (!key)
      throw new DomainError('validation_failed', `countersignature signed with key ${kid}, not pinned for ${env.from}`);
    const signed = await verifyTreeHead(body.countersignature, key, COUNTERSIGNATURE_TYP);
    if (!sameHead(signed, headOf(row.jws)))
      throw new DomainError('validation_failed', `countersignature does not sign our head of size ${body.treeSize}`);
    await insertCountersignature(tx, { treeSize: body.treeSize, party: env.from, kid, jws: body.countersignature });
  }

  /** Our heads newest first, each with the peers' countersignatures, and the peers' heads we countersigned. */
  async heads(input: unknown): Promise<{ size: number; heads: SignedHead[]; peerHeads: PeerHead[] }> {
    const query = parseWith(HeadsQuerySchema, input, 'query');
    const { db } = this.ctx;
    const rows = await selectHeads(db, query.before ?? null, query.limit);
    const countersignatures = await selectCountersignatures(
      db,
      rows.map((r) => Number(r.tree_size)),
    );
    const peerRows = await selectPeerHeads(db, query.before ?? null, query.limit);
    return {
      size: await selectLedgerSize(db),
      heads: rows.map((row) => ({
        ...this.headView(row),
        countersignatures: countersignatures
          .filter((c) => Number(c.tree_size) === Number(row.tree_size))
          .map((c) => ({ party: c.party, kid: c.kid, jws: c.jws, receivedAt: iso(c.received_at) })),
      })),
      peerHeads: peerRows.map((p) => ({
        party: p.party,
        treeSize: Number(p.tree_size),
        rootHash: p.root_hash,
        timestamp: iso(p.signed_at),
        headJws: p.head_jws,
        countersignatureJws: p.countersignature_jws,
        consistencyFrom: p.consistency?.fromSize ?? null,
        receivedAt: iso(p.received_at),
      })),
    };
  }

  private headView(row: HeadRow): Omit<SignedHead, 'countersignatures'> {
    return {
      treeSize: Number(row.tree_size),
      rootHash: row.root_hash,
      timestamp: iso(row.signed_at),
      kid: row.kid,
      jws: row.jws,
    };
  }

  async leaves(input: unknown) {
    const query = parseWith(LeavesQuerySchema, input, 'query');
    const rows = await selectLeaves(this.ctx.db, query.from, query.limit);
    return {
      size: await selectLedgerSize(this.ctx.db),
      leaves: rows.map((row) => ({
        index: Number(row.idx),
        at: iso(row.at),
        eventType: row.event_type,
        event: JSON.parse(row.event) as unknown,
        leafHash: row.leaf_hash,
      })),
    };
  }

  /** The tree size a proof is for: as asked, or our latest signed head's. @throws DomainError */
  private async proofSize(asked: number | undefined, field: string): Promise<{ size: number; head?: HeadRow }> {
    const db = this.ctx.db;
    if (asked === undefined) {
      const latest = await selectLatestHead(db);
      if (!latest) throw new DomainError('invalid_state', `no tree head is signed yet: give ${field}`);
      return { size: Number(latest.tree_size), head: latest };
    }
    const size = await selectLedgerSize(db);
    if (asked > size) throw validationError([{ path: `query.${field}`, message: `the log has only ${size} leaves` }]);
    const head = await selectHead(db, asked);
    return { size: asked, ...(head ? { head } : {}) };
  }

  /** RFC 9162 inclusion proof of leaf `index` in the tree of `treeSize` leaves (default: the latest head). */
  async inclusionProof(input: unknown) {
    const query = parseWith(InclusionQuerySchema, input, 'query');
    const { size, head } = await this.proofSize(query.treeSize, 'treeSize');
    if (query.index >= size)
      throw validationError([{ path: 'query.index', message: `must be less than the tree size ${size}` }]);
    const tree = await this.treeAt(size);
    return {
      index: query.index,
      treeSize: size,
      leafHash: hex(tree.leaf(query.index)),
      rootHash: hex(tree.rootHash(size)),
      proof: tree.inclusionProof(query.index, size).map(hex),
      signedHead: head?.jws ?? null,
    };
  }

  /** RFC 9162 consistency proof from the tree of `first` leaves to that of `second` (default: the latest head). */
  async consistencyProof(input: unknown) {
    const query = parseWith(ConsistencyQuerySchema, input, 'query');
    const { size, head } = await this.proofSize(query.second, 'second');
    if (query.first > size)
      throw validationError([{ path: 'query.first', message: `must not exceed the second tree size ${size}` }]);
    const tree = await this.treeAt(size);
    const firstHead = await selectHead(this.ctx.db, query.first);
    return {
      first: query.first,
      second: size,
      firstRoot: hex(tree.rootHash(query.first)),
      secondRoot: hex(tree.rootHash(size)),
      proof: tree.consistencyProof(query.first, size).map(hex),
      signedHeads: { first: firstHead?.jws ?? null, second: head?.jws ?? null },
    };
  }

  /** Rebuilds the whole record from the database and checks every hash and signature. */
  verify(): Promise<VerifyReport> {
    return verifyRecord(this.ctx.db);
  }
}
