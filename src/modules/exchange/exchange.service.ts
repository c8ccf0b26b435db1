import { DomainError, notFound } from '../../common/errors.ts';
import { newId, sha256Hex } from '../../common/ids.ts';
import type { Actor } from '../../platform/actor.ts';
import { audit } from '../../platform/audit.ts';
import type { NodeContext } from '../../platform/context.ts';
import type { Queryable } from '../../store/db.ts';
import { generateSigningKey, PublicJwkSchema } from '../parties/keys.ts';
import { selectPeer, selectPeers } from '../parties/parties.repository.ts';
import { installSigningKey, pinRotatedPeerKey, type KeyRing } from '../parties/parties.service.ts';
import {
  ENVELOPE_TYP,
  EnvelopeSchema,
  peekJws,
  RECEIPT_TYP,
  ReceiptSchema,
  signCanonical,
  verifyCanonical,
  type Envelope,
  type Receipt,
} from './envelope.ts';
import {
  deferOutbox,
  incrementOutSeq,
  insertInboxRows,
  insertOutbox,
  lockChannelForUpdate,
  markOutboxSettled,
  selectChannel,
  selectChannels,
  selectInboxByEnvelopeId,
  selectInboxByEnvelopeIds,
  selectNextAttemptAt,
  selectPendingBatch,
  setSuspendedByPeer,
  setSuspendedByUs,
  updateChannelInSeq,
  type NewInboxRow,
  type OutboxRow,
} from './exchange.repository.ts';

/** What a module does with one kind of message: on arrival, and when the peer's receipt comes back. */
export interface MessageHandler {
  /** Applies a received message inside the inbox transaction; a DomainError rejects the content. */
  receive(tx: Queryable, envelope: Envelope): Promise<void>;
  /** The peer's receipts for messages of this type, a whole delivered batch at once. */
  delivered?(tx: Queryable, deliveries: { ref: string | null; peer: string; at: string }[]): Promise<void>;
  rejected?(tx: Queryable, rejections: { ref: string | null; peer: string; reason: string }[]): Promise<void>;
}

/**
 * What happened on a channel, told to whoever keeps the record (the ledger) inside the same
 * transaction, so the record holds exactly what was committed.
 */
export type ExchangeEvent =
  | {
      event: 'envelope.sent';
      peer: string;
      seq: number;
      envelopeId: string;
      messageType: string;
      contentHash: string;
      ref: string | null;
    }
  | {
      event: 'envelope.received';
      peer: string;
      seq: number;
      envelopeId: string;
      messageType: string;
      contentHash: string;
      status: 'accepted' | 'rejected';
      reason: string | null;
    }
  | {
      event: 'receipt.recorded';
      peer: string;
      seq: number;
      envelopeId: string;
      messageType: string;
      contentHash: string;
      status: 'delivered' | 'rejected';
      reason: string | null;
      receiptHash: string;
    };

export type ExchangeRecorder = (tx: Queryable, events: ExchangeEvent[]) => Promise<void>;

export interface ChannelStatus {
  peer: string;
  lastOutSeq: number;
  lastInSeq: number;
  suspendedByUs: boolean;
  suspendedByPeer: boolean;
  suspendedAt: string | null;
  reason: string | null;
  pendingOut: number;
  deliveredOut: number;
  receivedIn: number;
  oldestPendingAt: string | null;
  lastError: string | null;
}

const CONTROL_SUSPEND = 'channel.suspend';
const CONTROL_RESUME = 'channel.resume';
const CONTROL_KEY_ROTATED = 'key.rotated';

/** Content problems: the envelope is authentic and in sequence but its body cannot be applied. */
/** Thrown on the fast path when a message's content is refused: the batch is redone carefully. */
class ContentRejected extends Error {}

const CONTENT_ERRORS = new Set(['validation_failed', 'not_found', 'invalid_state', 'conflict']);

export const backoffDelay = (attempts: number, minMs: number, maxMs: number, random = Math.random()): number => {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempts, 20));
  // "Equal jitter": half fixed, half random, so retries from many senders spread out.
  return ceiling / 2 + (ceiling / 2) * random;
};

/**
 * The node's side of every channel: queues signed messages in the transactional outbox, delivers
 * them in order with retries, and receives the peers' envelopes exactly once.
 */
export class Exchange {
  private readonly handlers = new Map<string, MessageHandler>();
  private recorder: ExchangeRecorder | undefined;

  constructor(
    readonly ctx: NodeContext,
    readonly keyring: KeyRing,
  ) {
    this.handlers.set(CONTROL_SUSPEND, {
      receive: async (tx, env) => {
        const reason =
          typeof (env.body as { reason?: unknown }).reason === 'string'
            ? (env.body as { reason: string }).reason
            : null;
        await setSuspendedByPeer(tx, env.from, true, reason);
        await audit(
          tx,
          { kind: 'peer', party: env.from },
          'channel.suspended_by_peer',
          { type: 'channel', id: env.from },
          { reason },
        );
      },
    });
    this.handlers.set(CONTROL_RESUME, {
      receive: async (tx, env) => {
        await setSuspendedByPeer(tx, env.from, false, null);
        await audit(tx, { kind: 'peer', party: env.from }, 'channel.resumed_by_peer', {
          type: 'channel',
          id: env.from,
        });
      },
    });
    this.handlers.set(CONTROL_KEY_ROTATED, {
      receive: async (tx, env) => {
        const body = env.body as { kid?: unknown; publicJwk?: unknown };
        const jwk = PublicJwkSchema.safeParse(body.publicJwk);
        if (typeof body.kid !== 'string' || !jwk.success)
          throw new DomainError('validation_failed', 'key announcement malformed');
        await pinRotatedPeerKey(tx, env.from, body.kid, jwk.data);
        await audit(
          tx,
          { kind: 'peer', party: env.from },
          'peer.key_rotated',
          { type: 'peer', id: env.from },
          { kid: body.kid },
        );
      },
    });
  }

  /** Registers what happens to messages of `type`; modules call this once at start. */
  on(type: string, handler: MessageHandler): void {
    this.handlers.set(type, handler);
  }

  /** Registers who records every send, receipt and arrival (one recorder: the ledger). */
  onRecord(recorder: ExchangeRecorder): void {
    this.recorder = recorder;
  }

  /** Wakes the delivery worker; call after the transaction that enqueued has committed. */
  notify(): void {
    this.ctx.signals.emit('outbox');
  }

  /**
   * Signs a message for `to` and queues it in the outbox, inside the caller's transaction: if the
   * business write rolls back, so does the message. @throws DomainError not_found (no such peer)
   */
  async enqueue(
    tx: Queryable,
    message: { to: string; type: string; body: unknown; ref?: string | null },
  ): Promise<{ envelopeId: string; seq: number; contentHash: string }> {
    const seq = await incrementOutSeq(tx, message.to);
    if (seq === undefined) throw notFound('peer', message.to);
    const envelope: Envelope = {
      v: 1,
      id: newId(),
      from: this.keyring.party,
      to: message.to,
      seq,
      type: message.type,
      sentAt: new Date().toISOString(),
      body: message.body,
    };
    const { jws, contentHash } = await signCanonical(envelope, this.keyring.signingKey(), ENVELOPE_TYP);
    await insertOutbox(tx, {
      peer: message.to,
      seq,
      envelopeId: envelope.id,
      type: message.type,
      ref: message.ref ?? null,
      jws,
      contentHash,
    });
    await this.recorder?.(tx, [
      {
        event: 'envelope.sent',
        peer: message.to,
        seq,
        envelopeId: envelope.id,
        messageType: message.type,
        contentHash,
        ref: message.ref ?? null,
      },
    ]);
    return { envelopeId: envelope.id, seq, contentHash };
  }

  private async signRejection(to: string, error: DomainError, envelope?: { id: string; seq: number }): Promise<string> {
    const rejection: Receipt = {
      v: 1,
      kind: 'rejection',
      envelopeId: envelope?.id ?? null,
      from: this.keyring.party,
      to,
      seq: envelope?.seq ?? null,
      contentHash: null,
      status: 'rejected',
      reason: `${error.code}: ${error.message}`,
      at: new Date().toISOString(),
    };
    return (await signCanonical(rejection, this.keyring.signingKey(), RECEIPT_TYP)).jws;
  }

  /** Checks one envelope's signature against the sender's pinned key. @throws DomainError */
  private async verifyEnvelope(jws: string): Promise<{ envelope: Envelope; contentHash: string }> {
    const { kid, from } = peekJws(jws);
    const key = this.keyring.peerKey(from, kid, { allowRetired: true });
    if (!key) throw new DomainError('envelope_unknown_key', `key ${kid} is not pinned for party ${from}`);
    const { payload, contentHash } = await verifyCanonical(jws, key, ENVELOPE_TYP);
    const parsed = EnvelopeSchema.safeParse(payload);
    if (!parsed.success)
      throw new DomainError('envelope_invalid', `envelope fields: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    if (parsed.data.from !== from)
      throw new DomainError('envelope_invalid', 'sender changed between header and payload');
    if (parsed.data.to !== this.keyring.party) {
      throw new DomainError(
        'envelope_invalid',
        `envelope is addressed to ${parsed.data.to}, this node is ${this.keyring.party}`,
      );
    }
    if (!this.keyring.peerKey(from, kid, { allowRetired: false })) {
      // A retired key signs nothing new, but the sender resends what it signed before the
      // rotation when a receipt was lost: that redelivery must still get its receipt.
      const previous = await selectInboxByEnvelopeId(this.ctx.db, parsed.data.id);
      if (previous?.content_hash !== contentHash)
        throw new DomainError('envelope_unknown_key', `key ${kid} of party ${from} is retired`);
    }
    return { envelope: parsed.data, contentHash };
  }

  /**
   * Receives a batch of envelopes from one peer, all or nothing: every signature, key and sequence
   * is checked, then everything is stored and applied in one transaction, and a signed receipt per
   * envelope is returned. A redelivered envelope gets its original receipt again.
   * @throws DomainError envelope_* with a signed rejection in `details.rejection`; nothing is stored
   */
  async receive(jwsList: string[]): Promise<string[]> {
    let sender = '';
    let current: { id: string; seq: number } | undefined;
    try {
      const verified: { jws: string; envelope: Envelope; contentHash: string }[] = [];
      for (const jws of jwsList) {
        const item = await this.verifyEnvelope(jws);
        if (sender && item.envelope.from !== sender)
          throw new DomainError('envelope_invalid', 'a batch must come from one sender');
        sender = item.envelope.from;
        verified.push({ jws, ...item });
      }
      const store = (careful: boolean) =>
        this.ctx.db.transaction((tx) => this.storeBatch(tx, sender, verified, careful, (c) => (current = c)));
      let receipts: string[];
      try {
        receipts = await store(false);
      } catch (error) {
        if (!(error instanceof ContentRejected)) throw error;
        // Rare: a message's content is refused. Redo the batch with a savepoint per message so
        // the refusal undoes only that message's writes.
        receipts = await store(true);
      }
      // The peer announced a new key: what it sends next is signed with it.
      if (verified.some((v) => v.envelope.type === CONTROL_KEY_ROTATED)) await this.keyring.load(this.ctx.db);
      return receipts;
    } catch (error) {
      if (error instanceof DomainError) {
        const to = sender || (await this.claimedPeer(jwsList[0]));
        if (to) error.details.rejection = await this.signRejection(to, error, current);
      }
      throw error;
    }
  }

  /**
   * Checks sequence and idempotency and stores one verified batch, in the caller's transaction.
   * Without `careful`, messages are applied without savepoints (the common case: one round trip
   * fewer each) and a content refusal aborts with ContentRejected so the batch is redone carefully.
   */
  private async storeBatch(
    tx: Queryable,
    sender: string,
    verified: { jws: string; envelope: Envelope; contentHash: string }[],
    careful: boolean,
    onCurrent: (current: { id: string; seq: number }) => void,
  ): Promise<string[]> {
    const channel = await lockChannelForUpdate(tx, sender);
    if (!channel) throw new DomainError('envelope_unknown_key', `party ${sender} is not a peer of this node`);
    if (channel.suspended_by_us) {
      throw new DomainError(
        'channel_suspended',
        `this node has suspended the channel with ${sender}; messages must wait`,
      );
    }
    const previousById = await selectInboxByEnvelopeIds(
      tx,
      verified.map((v) => v.envelope.id),
    );
    let lastIn = Number(channel.last_in_seq);
    const receipts: string[] = [];
    const stored: NewInboxRow[] = [];
    const events: ExchangeEvent[] = [];
    for (const { jws, envelope, contentHash } of verified) {
      onCurrent({ id: envelope.id, seq: envelope.seq });
      const previous = previousById.get(envelope.id);
      if (previous) {
        if (previous.content_hash !== contentHash || Number(previous.seq) !== envelope.seq) {
          throw new DomainError('envelope_replayed', `envelope ${envelope.id} was received before with other content`);
        }
        receipts.push(previous.receipt_jws);
        continue;
      }
      if (envelope.seq <= lastIn) {
        throw new DomainError('envelope_replayed', `sequence ${envelope.seq} from ${sender} was already used`);
      }
      if (envelope.seq !== lastIn + 1) {
        throw new DomainError(
          'envelope_out_of_order',
          `expected sequence ${lastIn + 1} from ${sender}, got ${envelope.seq}`,
          {
            expectedSeq: lastIn + 1,
          },
        );
      }
      const outcome = await this.apply(tx, envelope, careful);
      const status = outcome.ok ? 'accepted' : 'rejected';
      const reason = outcome.ok ? null : outcome.reason;
      const receipt: Receipt = {
        v: 1,
        kind: 'receipt',
        envelopeId: envelope.id,
        from: this.keyring.party,
        to: sender,
        seq: envelope.seq,
        contentHash,
        status,
        ...(reason === null ? {} : { reason }),
        at: new Date().toISOString(),
      };
      const receiptJws = (await signCanonical(receipt, this.keyring.signingKey(), RECEIPT_TYP)).jws;
      stored.push({
        sender,
        seq: envelope.seq,
        envelopeId: envelope.id,
        type: envelope.type,
        jws,
        contentHash,
        status,
        reason,
        receiptJws,
      });
      lastIn = envelope.seq;
      receipts.push(receiptJws);
      events.push({
        event: 'envelope.received',
        peer: sender,
        seq: envelope.seq,
        envelopeId: envelope.id,
        messageType: envelope.type,
        contentHash,
        status,
        reason,
      });
    }
    await insertInboxRows(tx, stored);
    await updateChannelInSeq(tx, sender, lastIn);
    // Recorded last: the record's lock is the last one the transaction takes.
    if (events.length > 0) await this.recorder?.(tx, events);
    return receipts;
  }

  /**
   * The party an unverified JWS claims to come from, if it is a peer: a peer whose envelope fails
   * verification is told why in a signed rejection; strangers get nothing signed.
   */
  private async claimedPeer(jws: string | undefined): Promise<string | undefined> {
    try {
      const { from } = peekJws(jws ?? '');
      return (await selectPeer(this.ctx.db, from)) ? from : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Runs the message's handler. Carefully: under a savepoint, so a content refusal undoes only this
   * message's writes and becomes a rejected receipt. Otherwise a refusal aborts the batch.
   */
  private async apply(
    tx: Queryable,
    envelope: Envelope,
    careful: boolean,
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    const handler = this.handlers.get(envelope.type);
    if (!handler) return { ok: false, reason: `unknown message type ${envelope.type}` };
    // Every message body is an object; handlers read its fields without guarding against null.
    const body = envelope.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return { ok: false, reason: 'validation_failed: body: must be a JSON object' };
    if (careful) await tx.query('SAVEPOINT apply_message');
    try {
      await handler.receive(tx, envelope);
      if (careful) await tx.query('RELEASE SAVEPOINT apply_message');
      return { ok: true };
    } catch (error) {
      if (!(error instanceof DomainError) || !CONTENT_ERRORS.has(error.code)) throw error;
      if (!careful) throw new ContentRejected();
      await tx.query('ROLLBACK TO SAVEPOINT apply_message');
      return { ok: false, reason: `${error.code}: ${error.message}` };
    }
  }

  /**
   * Sends the next batch of pending messages to `peer` and records the receipts; on failure the
   * head of the queue waits with exponential backoff and jitter. Returns how many were settled.
   */
  async deliverBatch(peer: string): Promise<number> {
    const { db, config } = this.ctx;
    const channel = await selectChannel(db, peer);
    const peerRow = await selectPeer(db, peer);
    if (!channel || !peerRow || channel.suspended_by_peer) return 0;
    const maxSeq = channel.suspended_by_us ? Number(channel.suspend_seq ?? 0) : null;
    const batch = await selectPendingBatch(db, peer, config.delivery.batchSize, maxSeq);
    // The peer verifies a whole batch before applying any of it, so a key announcement ends its
    // batch: what follows is signed with the new key, which the peer pins only on applying it.
    const announcement = batch.findIndex((row) => row.type === CONTROL_KEY_ROTATED);
    if (announcement >= 0) batch.length = announcement + 1;
    const head = batch[0];
    if (!head || new Date(head.next_attempt_at).getTime() > Date.now()) return 0;
    try {
      const response = await fetch(new URL('/federation/v1/envelopes', peerRow.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ envelopes: batch.map((row) => row.jws) }),
        signal: AbortSignal.timeout(config.delivery.requestTimeoutMs),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${response.status} ${describeProblem(text)}`);
      const receipts = (JSON.parse(text) as { receipts?: unknown }).receipts;
      if (!Array.isArray(receipts) || receipts.length !== batch.length)
        throw new Error('peer answered without one receipt per envelope');
      const checked: { row: OutboxRow; receipt: Receipt; jws: string }[] = [];
      for (const [i, row] of batch.entries())
        checked.push({ row, ...(await this.verifyReceipt(peer, row, receipts[i])) });
      await db.transaction(async (tx) => {
        await markOutboxSettled(
          tx,
          checked.map(({ row, receipt, jws }) => ({
            envelopeId: row.envelope_id,
            status: receipt.status === 'rejected' ? 'rejected' : 'delivered',
            receiptJws: jws,
            reason: receipt.reason ?? null,
          })),
        );
        for (const type of new Set(checked.map((c) => c.row.type))) {
          const ofType = checked.filter((c) => c.row.type === type);
          const handler = this.handlers.get(type);
          const rejected = ofType.filter((c) => c.receipt.status === 'rejected');
          const delivered = ofType.filter((c) => c.receipt.status !== 'rejected');
          if (delivered.length)
            await handler?.delivered?.(
              tx,
              delivered.map((c) => ({ ref: c.row.ref, peer, at: c.receipt.at })),
            );
          if (rejected.length) {
            await handler?.rejected?.(
              tx,
              rejected.map((c) => ({ ref: c.row.ref, peer, reason: c.receipt.reason ?? 'rejected' })),
            );
          }
        }
        // Recorded last: the record's lock is the last one the transaction takes.
        await this.recorder?.(
          tx,
          checked.map(({ row, receipt, jws }) => ({
            event: 'receipt.recorded',
            peer,
            seq: Number(row.seq),
            envelopeId: row.envelope_id,
            messageType: row.type,
            contentHash: row.content_hash,
            status: receipt.status === 'rejected' ? 'rejected' : 'delivered',
            reason: receipt.reason ?? null,
            receiptHash: sha256Hex(jws),
          })),
        );
      });
      return batch.length;
    } catch (error) {
      const delay = backoffDelay(head.attempts, config.delivery.minBackoffMs, config.delivery.maxBackoffMs);
      await deferOutbox(db, head.id, delay, (error as Error).message);
      this.ctx.log.warn(
        { peer, seq: head.seq, attempts: head.attempts + 1, delayMs: Math.round(delay), err: (error as Error).message },
        'delivery failed; will retry',
      );
      return 0;
    }
  }

  private async verifyReceipt(peer: string, row: OutboxRow, jws: unknown): Promise<{ receipt: Receipt; jws: string }> {
    if (typeof jws !== 'string') throw new Error('receipt is not a JWS');
    const { kid, from } = peekJws(jws);
    const key = from === peer ? this.keyring.peerKey(peer, kid, { allowRetired: true }) : undefined;
    if (!key) throw new Error(`receipt signed by unpinned key ${kid}`);
    const { payload } = await verifyCanonical(jws, key, RECEIPT_TYP);
    const receipt = ReceiptSchema.parse(payload);
    if (
      receipt.envelopeId !== row.envelope_id ||
      receipt.contentHash !== row.content_hash ||
      receipt.to !== this.keyring.party
    ) {
      throw new Error(`receipt does not match envelope ${row.envelope_id}`);
    }
    return { receipt, jws };
  }

  /** Delivers everything deliverable now to every peer; returns how many messages were settled. */
  async deliverAll(): Promise<number> {
    let settled = 0;
    for (const peer of await selectPeers(this.ctx.db)) {
      try {
        settled += await this.deliverBatch(peer.party_code);
      } catch (error) {
        this.ctx.log.error({ err: error, peer: peer.party_code }, 'delivery loop error');
      }
    }
    return settled;
  }

  async nextAttemptAt(): Promise<Date | undefined> {
    return selectNextAttemptAt(this.ctx.db);
  }

  async channels(): Promise<ChannelStatus[]> {
    return (await selectChannels(this.ctx.db)).map((c) => ({
      peer: c.peer,
      lastOutSeq: Number(c.last_out_seq),
      lastInSeq: Number(c.last_in_seq),
      suspendedByUs: c.suspended_by_us,
      suspendedByPeer: c.suspended_by_peer,
      suspendedAt: c.suspended_at ? new Date(c.suspended_at).toISOString() : null,
      reason: c.suspend_reason,
      pendingOut: Number(c.pending_out),
      deliveredOut: Number(c.delivered_out),
      receivedIn: Number(c.received_in),
      oldestPendingAt: c.oldest_pending_at ? new Date(c.oldest_pending_at).toISOString() : null,
      lastError: c.last_error,
    }));
  }

  /**
   * Suspends the channel with `peer`: the peer is told (the notice is the last message to go),
   * everything queued after it waits, and the peer's messages are refused until resumed.
   * @throws DomainError not_found, invalid_state
   */
  async suspend(actor: Actor, peer: string, reason: string): Promise<ChannelStatus> {
    await this.ctx.db.transaction(async (tx) => {
      const channel = await lockChannelForUpdate(tx, peer);
      if (!channel) throw notFound('channel with', peer);
      if (channel.suspended_by_us)
        throw new DomainError('invalid_state', `the channel with ${peer} is already suspended`);
      const notice = await this.enqueue(tx, { to: peer, type: CONTROL_SUSPEND, body: { reason } });
      await setSuspendedByUs(tx, peer, { suspended: true, reason, suspendSeq: notice.seq });
      await audit(tx, actor, 'channel.suspend', { type: 'channel', id: peer }, { reason });
    });
    this.notify();
    return this.channelStatus(peer);
  }

  /**
   * Resumes the channel: the held messages go in order, the resume notice after them, so the peer
   * starts sending again only once it has everything. @throws DomainError
   */
  async resume(actor: Actor, peer: string): Promise<ChannelStatus> {
    await this.ctx.db.transaction(async (tx) => {
      const channel = await lockChannelForUpdate(tx, peer);
      if (!channel) throw notFound('channel with', peer);
      if (!channel.suspended_by_us)
        throw new DomainError('invalid_state', `the channel with ${peer} is not suspended by this node`);
      await setSuspendedByUs(tx, peer, { suspended: false, reason: null, suspendSeq: null });
      await this.enqueue(tx, { to: peer, type: CONTROL_RESUME, body: {} });
      await audit(tx, actor, 'channel.resume', { type: 'channel', id: peer });
    });
    this.notify();
    return this.channelStatus(peer);
  }

  async channelStatus(peer: string): Promise<ChannelStatus> {
    const status = (await this.channels()).find((c) => c.peer === peer);
    if (!status) throw notFound('channel with', peer);
    return status;
  }

  /**
   * Rotates this node's signing key: each peer is told of the new key in a message signed with
   * the old one (so it can pin it on trust already established), then the new key signs.
   */
  async rotateKey(actor: Actor): Promise<string> {
    const kid = await this.ctx.db.transaction(async (tx) => {
      const next = await generateSigningKey(this.keyring.party);
      // Announcements are signed before the switch, under the key the peers already pin.
      for (const peer of await selectPeers(tx)) {
        await this.enqueue(tx, {
          to: peer.party_code,
          type: CONTROL_KEY_ROTATED,
          body: { kid: next.kid, publicJwk: next.publicJwk },
        });
      }
      await installSigningKey(tx, next);
      await audit(tx, actor, 'key.rotate', { type: 'signing_key', id: next.kid });
      return next.kid;
    });
    await this.keyring.load(this.ctx.db);
    this.notify();
    return kid;
  }
}

function describeProblem(text: string): string {
  try {
    const problem = JSON.parse(text) as { code?: string; detail?: string };
    return `${problem.code ?? ''}: ${problem.detail ?? text}`.slice(0, 500);
  } catch {
    return text.slice(0, 200);
  }
}
