import { DomainError, notFound, validationError } from '../../common/errors.ts';
import { newId, sha256Hex } from '../../common/ids.ts';
import { parseWith } from '../../common/validation.ts';
import type { Actor } from '../../platform/actor.ts';
import { audit, auditMany } from '../../platform/audit.ts';
import type { Db, Queryable } from '../../store/db.ts';
import { validateEntities } from '../entities/entities.service.ts';
import { canonicalBytes, type Envelope } from '../exchange/envelope.ts';
import type { Exchange } from '../exchange/exchange.service.ts';
import { selectPeer } from '../parties/parties.repository.ts';
import {
  insertPackage,
  lockPackage,
  markPackagesDelivered,
  selectPackage,
  selectPackageSummaries,
  stampPackage,
  updatePackageStatus,
  type PackageRow,
} from './packages.repository.ts';
import {
  ListQuerySchema,
  NewPackageSchema,
  RetractSchema,
  StatusMessageSchema,
  WirePackageSchema,
  type Marking,
  type Package,
  type PackageAttachment,
  type PackageContent,
  type PackageKind,
  type PackageStatus,
  type PackageSummary,
  type WirePackage,
} from './packages.schema.ts';

export const MSG_PACKAGE = 'package';
export const MSG_ACK = 'package.ack';
export const MSG_RETRACT = 'package.retract';
export const MSG_CLOSE = 'package.close';

/** Statuses after which a request no longer waits for an answer. */
const SETTLED: readonly PackageStatus[] = ['answered', 'closed', 'retracted', 'rejected'];

const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);
const dateOnly = (d: Date | string | null): string | null => {
  if (!d) return null;
  if (typeof d === 'string') return d.slice(0, 10);
  // The store returns DATE columns as text; a Date here is one built in code, read in local time.
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

const userRef = (id: string | null, username?: string | null, name?: string | null) =>
  id && username ? { id, username, displayName: name ?? username } : null;

export function isOverdue(row: Pick<PackageRow, 'kind' | 'due_date' | 'status'>, today = new Date()): boolean {
  const due = dateOnly(row.due_date);
  return (
    row.kind === 'request' &&
    due !== null &&
    due < today.toISOString().slice(0, 10) &&
    !SETTLED.includes(row.status as PackageStatus)
  );
}

function toSummary(row: PackageRow): PackageSummary {
  return {
    id: row.id,
    direction: row.direction,
    originParty: row.origin_party,
    counterparty: row.counterparty,
    kind: row.kind as PackageKind,
    title: row.title,
    status: row.status as PackageStatus,
    tlp: row.tlp,
    releasableTo: row.releasable_to,
    grade: { source: row.source_grade, info: row.info_grade },
    dueDate: dateOnly(row.due_date),
    overdue: isOverdue(row),
    inReplyTo: row.in_reply_to,
    createdAt: new Date(row.created_at).toISOString(),
    sentAt: iso(row.sent_at),
    createdBy: userRef(row.created_by, row.created_by_username, row.created_by_name),
    approvedBy: userRef(row.approved_by, row.approved_by_username, row.approved_by_name),
  };
}

function toPackage(row: PackageRow, responses: PackageRow[]): Package {
  return {
    ...toSummary(row),
    narrative: row.content.narrative,
    entities: row.content.entities,
    attachments: row.content.attachments.map(({ contentBase64: _content, ...rest }) => rest),
    internalNotes: row.direction === 'outgoing' ? row.internal_notes : null,
    timestamps: {
      createdAt: iso(row.created_at),
      approvedAt: iso(row.approved_at),
      sentAt: iso(row.sent_at),
      deliveredAt: iso(row.delivered_at),
      acknowledgedAt: iso(row.acknowledged_at),
      answeredAt: iso(row.answered_at),
      closedAt: iso(row.closed_at),
      retractedAt: iso(row.retracted_at),
    },
    retractionReason: row.retraction_reason,
    contentHash: row.content_hash,
    responses: responses.map(toSummary),
  };
}

/** Builds the package content from input: entity validation, attachment hashing, item markings. */
function buildContent(input: ReturnType<typeof NewPackageSchema.parse>): PackageContent {
  const defaultMarking: Marking = input.marking;
  const entities = input.entities.map((e, i) => ({
    id: e.id ?? `e${i + 1}`,
    schema: e.schema,
    properties: e.properties,
    marking: e.marking ?? defaultMarking,
  }));
  const checked = validateEntities(entities);
  const issues = [...checked.issues];
  const attachments: PackageAttachment[] = input.attachments.map((a, i) => {
    const bytes = Buffer.from(a.contentBase64, 'base64');
    const sha256 = sha256Hex(bytes);
    if (a.sha256 && a.sha256 !== sha256) {
      issues.push({
        path: `attachments.${i}.sha256`,
        message: `does not match the content (content hashes to ${sha256})`,
      });
    }
    return {
      id: `a${i + 1}`,
      name: a.name,
      mediaType: a.mediaType,
      size: bytes.length,
      sha256,
      contentBase64: a.contentBase64,
      marking: a.marking ?? defaultMarking,
    };
  });
  if (issues.length) throw validationError(issues);
  return {
    narrative: { text: input.narrative.text, marking: input.narrative.marking ?? defaultMarking },
    entities: checked.entities.map((e, i) => ({ ...e, marking: entities[i]?.marking ?? defaultMarking })),
    attachments,
  };
}

/**
 * The items of a package that may not go to `recipient`, by path and label: the package marking,
 * the narrative, every entity and every attachment are checked on their own.
 */
export function unreleasableItems(
  content: PackageContent,
  packageMarking: Marking,
  recipient: string,
): { path: string; label: string }[] {
  const blocked: { path: string; label: string }[] = [];
  const ok = (m: Marking) => m.releasableTo.includes(recipient);
  if (!ok(packageMarking)) blocked.push({ path: 'marking', label: 'the package itself' });
  if (!ok(content.narrative.marking)) blocked.push({ path: 'narrative', label: 'the narrative' });
  content.entities.forEach((e, i) => {
    if (!ok(e.marking))
      blocked.push({
        path: `entities.${i}`,
        label: `${e.schema} "${e.properties.name?.[0] ?? e.properties.number?.[0] ?? e.id}"`,
      });
  });
  content.attachments.forEach((a, i) => {
    if (!ok(a.marking)) blocked.push({ path: `attachments.${i}`, label: `attachment "${a.name}"` });
  });
  return blocked;
}

function toWire(row: PackageRow): WirePackage {
  return {
    id: row.id,
    kind: row.kind as PackageKind,
    originParty: row.origin_party,
    recipient: row.counterparty,
    title: row.title,
    marking: { tlp: row.tlp as Marking['tlp'], releasableTo: row.releasable_to },
    grade: {
      source: row.source_grade as WirePackage['grade']['source'],
      info: row.info_grade as WirePackage['grade']['info'],
    },
    dueDate: dateOnly(row.due_date),
    inReplyTo: row.in_reply_to,
    createdAt: new Date(row.created_at).toISOString(),
    narrative: row.content.narrative,
    entities: row.content.entities,
    attachments: row.content.attachments,
  };
}

const requireUser = (actor: Actor) => {
  if (actor.kind !== 'user') throw new DomainError('forbidden', 'only a signed-in user can do this');
  return actor;
};

/** Package use cases. Stateless apart from the exchange it sends through. */
export class PackageService {
  constructor(
    private readonly db: Db,
    private readonly exchange: Exchange,
    private readonly party: string,
  ) {
    exchange.on(MSG_PACKAGE, {
      receive: (tx, env) => this.receivePackage(tx, env),
      delivered: async (tx, deliveries) => {
        const refs = deliveries.flatMap((d) => (d.ref ? [{ ref: d.ref, peer: d.peer }] : []));
        await markPackagesDelivered(
          tx,
          refs.map((d) => d.ref),
        );
        await auditMany(
          tx,
          refs.map((d) => ({
            actor: { kind: 'peer', party: d.peer },
            action: 'package.delivered',
            target: { type: 'package', id: d.ref },
          })),
        );
      },
      rejected: async (tx, rejections) => {
        for (const d of rejections) {
          if (!d.ref) continue;
          await updatePackageStatus(tx, d.ref, 'rejected', null);
          await audit(
            tx,
            { kind: 'peer', party: d.peer },
            'package.rejected_by_peer',
            { type: 'package', id: d.ref },
            { reason: d.reason },
          );
        }
      },
    });
    exchange.on(MSG_ACK, { receive: (tx, env) => this.receiveStatus(tx, env, 'acknowledged', 'acknowledged_at') });
    exchange.on(MSG_CLOSE, { receive: (tx, env) => this.receiveStatus(tx, env, 'closed', 'closed_at') });
    exchange.on(MSG_RETRACT, { receive: (tx, env) => this.receiveStatus(tx, env, 'retracted', 'retracted_at') });
  }

  /** Creates a draft. @throws DomainError validation_failed (naming each bad field), not_found */
  async create(actor: Actor, input: unknown): Promise<Package> {
    const user = requireUser(actor);
    const pkg = parseWith(NewPackageSchema, input);
    if (pkg.recipient === this.party)
      throw validationError([{ path: 'recipient', message: 'cannot send a package to this node’s own party' }]);
    if (!(await selectPeer(this.db, pkg.recipient)))
      throw validationError([{ path: 'recipient', message: `${pkg.recipient} is not a peer of this node` }]);
    if (pkg.kind === 'request' && !pkg.dueDate)
      throw validationError([{ path: 'dueDate', message: 'a request for assistance needs a due date' }]);
    if (pkg.kind === 'response' && !pkg.inReplyTo)
      throw validationError([{ path: 'inReplyTo', message: 'a response must name the request it answers' }]);
    if (pkg.inReplyTo) {
      const request = await selectPackage(this.db, pkg.inReplyTo, 'incoming');
      if (!request) throw validationError([{ path: 'inReplyTo', message: `no received package ${pkg.inReplyTo}` }]);
      if (request.origin_party !== pkg.recipient)
        throw validationError([{ path: 'recipient', message: `the request came from ${request.origin_party}` }]);
    }
    const content = buildContent(pkg);
    const id = newId();
    await this.db.transaction(async (tx) => {
      await insertPackage(tx, {
        id,
        direction: 'outgoing',
        origin_party: this.party,
        counterparty: pkg.recipient,
        kind: pkg.kind,
        title: pkg.title,
        status: 'draft',
        content,
        tlp: pkg.marking.tlp,
        releasable_to: pkg.marking.releasableTo,
        source_grade: pkg.grade.source,
        info_grade: pkg.grade.info,
        due_date: pkg.dueDate ?? null,
        in_reply_to: pkg.inReplyTo ?? null,
        internal_notes: pkg.internalNotes ?? null,
        content_hash: null,
        created_by: user.id,
      });
      await audit(tx, actor, 'package.create', { type: 'package', id }, { kind: pkg.kind, recipient: pkg.recipient });
    });
    return this.get(actor, id, { audit: false });
  }

  /** Reads one package; every read is audited. @throws DomainError not_found */
  async get(actor: Actor, id: string, options = { audit: true }): Promise<Package> {
    const row = await selectPackage(this.db, id);
    if (!row) throw notFound('package', id);
    // Only a request is answered: other kinds never have responses to look up.
    const responses =
      row.kind === 'request' ? await selectPackageSummaries(this.db, { inReplyTo: id, limit: 100 }) : [];
    if (options.audit) await audit(this.db, actor, 'package.read', { type: 'package', id });
    return toPackage(row, responses);
  }

  async list(actor: Actor, query: unknown): Promise<{ items: PackageSummary[] }> {
    const q = parseWith(ListQuerySchema, query ?? {}, 'query');
    const filter = {
      inbox: { direction: 'incoming' as const },
      outbox: {
        direction: 'outgoing' as const,
        statuses: ['sent', 'delivered', 'acknowledged', 'answered', 'closed', 'retracted', 'rejected'],
      },
      drafts: { direction: 'outgoing' as const, statuses: ['draft', 'approved'] },
      approvals: { direction: 'outgoing' as const, statuses: ['draft'] },
      all: {},
    }[q.box];
    let rows = await selectPackageSummaries(this.db, { ...filter, limit: q.limit });
    // Four-eyes: what waits for *this* user's approval is what someone else wrote.
    if (q.box === 'approvals' && actor.kind === 'user') rows = rows.filter((r) => r.created_by !== actor.id);
    await audit(this.db, actor, 'package.list', { type: 'package' }, { box: q.box, count: rows.length });
    return { items: rows.map(toSummary) };
  }

  async deadlines(actor: Actor): Promise<{ items: PackageSummary[] }> {
    const rows = await selectPackageSummaries(this.db, { withDueDate: true, limit: 1000 });
    await audit(this.db, actor, 'package.list', { type: 'package' }, { box: 'deadlines', count: rows.length });
    const items = rows.map(toSummary).sort((a, b) => (a.dueDate ?? '').localeCompare(b.dueDate ?? ''));
    return { items };
  }

  /**
   * Four-eyes release: a second user approves the draft. Refused if the package is not releasable
   * to its recipient, so nothing unreleasable can even be approved.
   * @throws DomainError four_eyes_required, invalid_state, not_releasable
   */
  async approve(actor: Actor, id: string): Promise<Package> {
    const user = requireUser(actor);
    await this.db.transaction(async (tx) => {
      const row = await this.lockOutgoing(tx, id);
      if (row.status !== 'draft')
        throw new DomainError('invalid_state', `package is ${row.status}; only a draft can be approved`);
      if (row.created_by === user.id)
        throw new DomainError('four_eyes_required', 'a second user must approve: you wrote this package');
      this.assertReleasable(row);
      await updatePackageStatus(tx, id, 'approved', 'approved_at', { approved_by: user.id });
      await audit(tx, actor, 'package.approve', { type: 'package', id });
    });
    return this.get(actor, id, { audit: false });
  }

  /**
   * Signs and queues an approved package for its recipient; the release check runs again at
   * send time, on exactly what will leave. @throws DomainError invalid_state, not_releasable
   */
  async send(actor: Actor, id: string): Promise<Package> {
    requireUser(actor);
    await this.db.transaction(async (tx) => {
      const row = await this.lockOutgoing(tx, id);
      if (row.status !== 'approved') {
        throw new DomainError(
          'invalid_state',
          row.status === 'draft'
            ? 'package needs approval by a second user before it can be sent'
            : `package is already ${row.status}`,
        );
      }
      this.assertReleasable(row);
      const wire = toWire(row);
      const contentHash = sha256Hex(canonicalBytes(wire));
      await updatePackageStatus(tx, id, 'sent', 'sent_at', { content_hash: contentHash });
      if (row.in_reply_to) {
        const request = await lockPackage(tx, row.in_reply_to);
        if (request && request.direction === 'incoming' && !['closed', 'retracted'].includes(request.status)) {
          await updatePackageStatus(tx, request.id, 'answered', 'answered_at');
        }
      }
      await audit(tx, actor, 'package.send', { type: 'package', id }, { recipient: row.counterparty, contentHash });
      // Enqueued last: it takes the channel's sequence lock, which every send to this peer
      // waits for, so it is held only from here to the commit.
      await this.exchange.enqueue(tx, { to: row.counterparty, type: MSG_PACKAGE, body: { package: wire }, ref: id });
    });
    this.exchange.notify();
    return this.get(actor, id, { audit: false });
  }

  /** The receiving side confirms a human has taken the package in hand. @throws DomainError */
  async acknowledge(actor: Actor, id: string): Promise<Package> {
    await this.notifyPeer(actor, id, 'incoming', ['delivered'], 'acknowledged', 'acknowledged_at', MSG_ACK, {});
    return this.get(actor, id, { audit: false });
  }

  /** The originator closes the exchange. @throws DomainError */
  async close(actor: Actor, id: string): Promise<Package> {
    await this.notifyPeer(
      actor,
      id,
      'outgoing',
      ['sent', 'delivered', 'acknowledged', 'answered'],
      'closed',
      'closed_at',
      MSG_CLOSE,
      {},
    );
    return this.get(actor, id, { audit: false });
  }

  /** Withdraws a sent package; the peer marks it retracted. @throws DomainError */
  async retract(actor: Actor, id: string, input: unknown): Promise<Package> {
    const { reason } = parseWith(RetractSchema, input);
    await this.notifyPeer(
      actor,
      id,
      'outgoing',
      ['sent', 'delivered', 'acknowledged', 'answered', 'closed'],
      'retracted',
      'retracted_at',
      MSG_RETRACT,
      { reason },
    );
    return this.get(actor, id, { audit: false });
  }

  private async notifyPeer(
    actor: Actor,
    id: string,
    direction: 'outgoing' | 'incoming',
    from: PackageStatus[],
    to: PackageStatus,
    stamp: 'acknowledged_at' | 'closed_at' | 'retracted_at',
    type: string,
    body: { reason?: string },
  ): Promise<void> {
    requireUser(actor);
    await this.db.transaction(async (tx) => {
      const row = await lockPackage(tx, id);
      if (!row || row.direction !== direction) throw notFound(`${direction} package`, id);
      if (!from.includes(row.status as PackageStatus)) {
        throw new DomainError('invalid_state', `package is ${row.status}; cannot mark it ${to}`);
      }
      await updatePackageStatus(tx, id, to, stamp, body.reason ? { retraction_reason: body.reason } : {});
      await this.exchange.enqueue(tx, { to: row.counterparty, type, body: { packageId: id, ...body }, ref: id });
      await audit(
        tx,
        actor,
        `package.${to === 'acknowledged' ? 'acknowledge' : to === 'closed' ? 'close' : 'retract'}`,
        { type: 'package', id },
        body,
      );
    });
    this.exchange.notify();
  }

  private async lockOutgoing(tx: Queryable, id: string): Promise<PackageRow> {
    const row = await lockPackage(tx, id);
    if (!row || row.direction !== 'outgoing') throw notFound('outgoing package', id);
    return row;
  }

  private assertReleasable(row: PackageRow): void {
    const blocked = unreleasableItems(
      row.content,
      { tlp: row.tlp as Marking['tlp'], releasableTo: row.releasable_to },
      row.counterparty,
    );
    if (blocked.length) {
      throw new DomainError(
        'not_releasable',
        `not releasable to ${row.counterparty}: ${blocked.map((b) => `${b.path} (${b.label})`).join(', ')}`,
        { items: blocked },
      );
    }
  }

  /** Stores a received package; anything not releasable to this party is refused, not stored. */
  private async receivePackage(tx: Queryable, env: Envelope): Promise<void> {
    const wire = parseWith(WirePackageSchema, (env.body as { package?: unknown }).package, 'package');
    if (wire.originParty !== env.from || wire.recipient !== this.party) {
      throw validationError([
        { path: 'package.recipient', message: `package is from ${wire.originParty} to ${wire.recipient}` },
      ]);
    }
    const content: PackageContent = {
      narrative: wire.narrative,
      entities: wire.entities,
      attachments: wire.attachments,
    };
    const blocked = unreleasableItems(content, wire.marking, this.party);
    if (blocked.length)
      throw validationError(
        blocked.map((b) => ({ path: `package.${b.path}`, message: `not releasable to ${this.party}` })),
      );
    const checked = validateEntities(wire.entities, 'package.entities');
    if (checked.issues.length) throw validationError(checked.issues);
    for (const [i, a] of wire.attachments.entries()) {
      if (sha256Hex(Buffer.from(a.contentBase64, 'base64')) !== a.sha256) {
        throw validationError([{ path: `package.attachments.${i}.sha256`, message: 'does not match the content' }]);
      }
    }
    const inserted = await insertPackage(tx, {
      id: wire.id,
      direction: 'incoming',
      origin_party: wire.originParty,
      counterparty: wire.originParty,
      kind: wire.kind,
      title: wire.title,
      status: 'delivered',
      content,
      tlp: wire.marking.tlp,
      releasable_to: wire.marking.releasableTo,
      source_grade: wire.grade.source,
      info_grade: wire.grade.info,
      due_date: wire.dueDate,
      in_reply_to: wire.inReplyTo,
      internal_notes: null,
      content_hash: sha256Hex(canonicalBytes(wire)),
      created_by: null,
      created_at: wire.createdAt,
      delivered_at: new Date(),
      sent_at: env.sentAt,
    });
    if (!inserted) throw new DomainError('conflict', `package ${wire.id} exists already`);
    if (wire.inReplyTo) {
      const request = await lockPackage(tx, wire.inReplyTo);
      if (request?.direction === 'outgoing') {
        if (['sent', 'delivered', 'acknowledged'].includes(request.status))
          await updatePackageStatus(tx, request.id, 'answered', 'answered_at');
        else await stampPackage(tx, request.id, 'answered_at');
      }
    }
    await audit(
      tx,
      { kind: 'peer', party: env.from },
      'package.receive',
      { type: 'package', id: wire.id },
      { kind: wire.kind, seq: env.seq },
    );
  }

  private async receiveStatus(
    tx: Queryable,
    env: Envelope,
    status: PackageStatus,
    stamp: 'acknowledged_at' | 'closed_at' | 'retracted_at',
  ): Promise<void> {
    const body = parseWith(StatusMessageSchema, env.body, 'body');
    const row = await lockPackage(tx, body.packageId);
    // A peer acknowledges what it received from us, and closes or retracts only what it sent us.
    const direction = status === 'acknowledged' ? 'outgoing' : 'incoming';
    if (!row || row.counterparty !== env.from || row.direction !== direction)
      throw notFound(`${direction} package exchanged with ${env.from}`, body.packageId);
    // An acknowledgement arriving after an answer or a close must not move the package backwards.
    const forward = status !== 'acknowledged' || ['sent', 'delivered'].includes(row.status);
    if (forward)
      await updatePackageStatus(
        tx,
        row.id,
        status,
        stamp,
        typeof body.reason === 'string' ? { retraction_reason: body.reason } : {},
      );
    else await stampPackage(tx, row.id, stamp);
    await audit(tx, { kind: 'peer', party: env.from }, `package.${status}_by_peer`, { type: 'package', id: row.id });
  }
}
