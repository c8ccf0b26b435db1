import type { Queryable } from '../../store/db.ts';

export interface ChannelRow {
  peer: string;
  last_out_seq: string;
  last_in_seq: string;
  suspended_by_us: boolean;
  suspended_by_peer: boolean;
  suspended_at: Date | null;
  suspend_reason: string | null;
  suspend_seq: string | null;
  updated_at: Date;
}

export interface OutboxRow {
  id: string;
  peer: string;
  seq: string;
  envelope_id: string;
  type: string;
  ref: string | null;
  jws: string;
  content_hash: string;
  created_at: Date;
  status: 'pending' | 'delivered' | 'rejected';
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  delivered_at: Date | null;
  receipt_jws: string | null;
}

export interface InboxRow {
  sender: string;
  seq: string;
  envelope_id: string;
  type: string;
  jws: string;
  content_hash: string;
  received_at: Date;
  status: 'accepted' | 'rejected';
  reason: string | null;
  receipt_jws: string;
}

/** Takes the next outbound sequence number; the row lock orders concurrent senders. */
export async function incrementOutSeq(db: Queryable, peer: string): Promise<number | undefined> {
  const { rows } = await db.query<{ last_out_seq: string }>(
    'UPDATE channels SET last_out_seq = last_out_seq + 1, updated_at = now() WHERE peer = $1 RETURNING last_out_seq',
    [peer],
  );
  return rows[0] ? Number(rows[0].last_out_seq) : undefined;
}

export async function insertOutbox(
  db: Queryable,
  row: {
    peer: string;
    seq: number;
    envelopeId: string;
    type: string;
    ref: string | null;
    jws: string;
    contentHash: string;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO outbox (peer, seq, envelope_id, type, ref, jws, content_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [row.peer, row.seq, row.envelopeId, row.type, row.ref, row.jws, row.contentHash],
  );
}

export async function selectChannel(db: Queryable, peer: string): Promise<ChannelRow | undefined> {
  return (await db.query<ChannelRow>('SELECT * FROM channels WHERE peer = $1', [peer])).rows[0];
}

export async function lockChannelForUpdate(db: Queryable, peer: string): Promise<ChannelRow | undefined> {
  return (await db.query<ChannelRow>('SELECT * FROM channels WHERE peer = $1 FOR UPDATE', [peer])).rows[0];
}

export async function selectChannels(db: Queryable): Promise<
  (ChannelRow & {
    pending_out: string;
    delivered_out: string;
    received_in: string;
    oldest_pending_at: Date | null;
    last_error: string | null;
  })[]
> {
  const { rows } = await db.query<
    ChannelRow & {
      pending_out: string;
      delivered_out: string;
      received_in: string;
      oldest_pending_at: Date | null;
      last_error: string | null;
    }
  >(
    `SELECT c.*,
       (SELECT count(*) FROM outbox o WHERE o.peer = c.peer AND o.status = 'pending') AS pending_out,
       (SELECT count(*) FROM outbox o WHERE o.peer = c.peer AND o.status <> 'pending') AS delivered_out,
       (SELECT count(*) FROM inbox i WHERE i.sender = c.peer) AS received_in,
       (SELECT min(created_at) FROM outbox o WHERE o.peer = c.peer AND o.status = 'pending') AS oldest_pending_at,
       (SELECT last_error FROM outbox o WHERE o.peer = c.peer AND o.status = 'pending' ORDER BY seq LIMIT 1) AS last_error
     FROM channels c ORDER BY c.peer`,
  );
  return rows;
}

export async function updateChannelInSeq(db: Queryable, peer: string, seq: number): Promise<void> {
  await db.query('UPDATE channels SET last_in_seq = $2, updated_at = now() WHERE peer = $1', [peer, seq]);
}

export async function setSuspendedByUs(
  db: Queryable,
  peer: string,
  state: { suspended: boolean; reason: string | null; suspendSeq: number | null },
): Promise<void> {
  await db.query(
    `UPDATE channels SET suspended_by_us = $2, suspend_reason = $3, suspend_seq = $4,
       suspended_at = CASE WHEN $2 THEN now() ELSE NULL END, updated_at = now() WHERE peer = $1`,
    [peer, state.suspended, state.reason, state.suspendSeq],
  );
}

export async function setSuspendedByPeer(db: Queryable, peer: string, suspended: boolean, reason: string | null) {
  await db.query(
    `UPDATE channels SET suspended_by_peer = $2, suspend_reason = CASE WHEN suspended_by_us THEN suspend_reason ELSE $3 END,
       suspended_at = CASE WHEN $2 THEN now() ELSE suspended_at END, updated_at = now() WHERE peer = $1`,
    [peer, suspended, reason],
  );
}

/** The next batch to deliver to `peer`, in sequence order, up to the suspension notice if any. */
export async function selectPendingBatch(
  db: Queryable,
  peer: string,
  limit: number,
  maxSeq: number | null,
): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxRow>(
    `SELECT * FROM outbox WHERE peer = $1 AND status = 'pending' AND ($3::bigint IS NULL OR seq <= $3)
     ORDER BY seq LIMIT $2`,
    [peer, limit, maxSeq],
  );
  return rows;
}

/** Records the peer's receipts for a whole batch in one statement. */
export async function markOutboxSettled(
  db: Queryable,
  settled: { envelopeId: string; status: 'delivered' | 'rejected'; receiptJws: string; reason: string | null }[],
): Promise<void> {
  await db.query(
    `UPDATE outbox o SET status = s.status, receipt_jws = s.receipt_jws, delivered_at = now(), last_error = s.reason,
       attempts = o.attempts + 1
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS s(envelope_id, status, receipt_jws, reason)
     WHERE o.envelope_id = s.envelope_id AND o.status = 'pending'`,
    [
      settled.map((s) => s.envelopeId),
      settled.map((s) => s.status),
      settled.map((s) => s.receiptJws),
      settled.map((s) => s.reason),
    ],
  );
}

export async function deferOutbox(db: Queryable, id: string, delayMs: number, error: string): Promise<void> {
  await db.query(
    `UPDATE outbox SET attempts = attempts + 1, last_error = $3,
       next_attempt_at = now() + ($2::double precision * interval '1 millisecond') WHERE id = $1`,
    [id, delayMs, error.slice(0, 1000)],
  );
}

/**
 * When the next deliverable message is due. Only the head of each queue counts (a failure defers
 * the head alone, and nothing behind it goes first), and messages held by a suspension do not
 * count: the worker would otherwise find them due at once, deliver nothing, and spin.
 */
export async function selectNextAttemptAt(db: Queryable): Promise<Date | undefined> {
  const { rows } = await db.query<{ at: Date | null }>(
    `SELECT min(o.next_attempt_at) AS at FROM outbox o JOIN channels c ON c.peer = o.peer
     WHERE o.status = 'pending' AND NOT c.suspended_by_peer AND (NOT c.suspended_by_us OR o.seq <= c.suspend_seq)
       AND o.seq = (SELECT min(h.seq) FROM outbox h WHERE h.peer = o.peer AND h.status = 'pending')`,
  );
  return rows[0]?.at ?? undefined;
}

export async function selectInboxByEnvelopeId(db: Queryable, envelopeId: string): Promise<InboxRow | undefined> {
  return (await db.query<InboxRow>('SELECT * FROM inbox WHERE envelope_id = $1', [envelopeId])).rows[0];
}

export interface NewInboxRow {
  sender: string;
  seq: number;
  envelopeId: string;
  type: string;
  jws: string;
  contentHash: string;
  status: 'accepted' | 'rejected';
  reason: string | null;
  receiptJws: string;
}

/** Stores a whole batch of received envelopes in one statement. */
export async function insertInboxRows(db: Queryable, rows: NewInboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO inbox (sender, seq, envelope_id, type, jws, content_hash, status, reason, receipt_jws)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::text[], $9::text[])`,
    [
      rows.map((r) => r.sender),
      rows.map((r) => r.seq),
      rows.map((r) => r.envelopeId),
      rows.map((r) => r.type),
      rows.map((r) => r.jws),
      rows.map((r) => r.contentHash),
      rows.map((r) => r.status),
      rows.map((r) => r.reason),
      rows.map((r) => r.receiptJws),
    ],
  );
}

/** The envelopes of a batch that arrived before (redeliveries), by envelope id. */
export async function selectInboxByEnvelopeIds(db: Queryable, envelopeIds: string[]): Promise<Map<string, InboxRow>> {
  const { rows } = await db.query<InboxRow>('SELECT * FROM inbox WHERE envelope_id = ANY($1::uuid[])', [envelopeIds]);
  return new Map(rows.map((row) => [row.envelope_id, row]));
}
