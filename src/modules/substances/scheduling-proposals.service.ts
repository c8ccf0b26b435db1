import { z } from 'zod';
import { DomainError, notFound, validationError } from '../../common/errors.ts';
import { newId } from '../../common/ids.ts';
import { parseWith, storableDate } from '../../common/validation.ts';
import { audit } from '../../platform/audit.ts';
import type { Actor } from '../../platform/actor.ts';
import type { Db, Queryable } from '../../store/db.ts';
import type { Envelope } from '../exchange/envelope.ts';
import type { Exchange } from '../exchange/exchange.service.ts';
import type { SubstanceClassifier } from './classifier.service.ts';

export const MSG_PROPOSAL = 'substance.proposal';
export const MSG_PROPOSAL_ANSWER = 'substance.proposal_answer';

const SubstanceRef = z.object({
  name: z.string().min(1).max(500),
  inchikey: z.string().max(40),
  smiles: z.string().min(1).max(8000),
});
type SubstanceRef = z.infer<typeof SubstanceRef>;

export const ProposalInput = z.object({
  substance: z.string().trim().min(1, 'give the substance: a name, CAS number or SMILES').max(10_000),
  to: z.string().regex(/^[A-Z]{2}$/, 'must be a party code such as CN'),
  proposedSchedule: z.string().trim().min(1, 'say which list or schedule').max(200),
  rationale: z.string().trim().min(1, 'give the reasons for control').max(20_000),
  answerBy: storableDate(),
});
export type ProposalInput = z.infer<typeof ProposalInput>;

export const AnswerInput = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('accept'), effectiveDate: storableDate() }),
  z.object({ decision: z.literal('decline'), reason: z.string().trim().min(1, 'give the reason').max(20_000) }),
]);
export type AnswerInput = z.infer<typeof AnswerInput>;

const WireProposal = z.object({
  id: z.uuid(),
  proposer: z.string(),
  recipient: z.string(),
  substance: SubstanceRef,
  proposedSchedule: z.string().min(1).max(200),
  rationale: z.string().min(1).max(20_000),
  answerBy: storableDate(),
});
const WireAnswer = z.object({
  proposalId: z.uuid(),
  decision: z.enum(['accept', 'decline']),
  effectiveDate: storableDate().optional(),
  reason: z.string().max(20_000).optional(),
});

export interface Proposal {
  id: string;
  direction: 'outgoing' | 'incoming';
  proposer: string;
  recipient: string;
  substance: SubstanceRef;
  proposedSchedule: string;
  rationale: string;
  answerBy: string;
  status: 'proposed' | 'accepted' | 'declined';
  /** Still unanswered after the answer-by date. */
  overdue: boolean;
  effectiveDate: string | null;
  declineReason: string | null;
  proposedBy: string;
  answeredBy: string | null;
  createdAt: string;
  answeredAt: string | null;
}

interface Row {
  id: string;
  direction: Proposal['direction'];
  proposer: string;
  recipient: string;
  substance: SubstanceRef;
  proposed_schedule: string;
  rationale: string;
  answer_by: string;
  status: Proposal['status'];
  effective_date: string | null;
  decline_reason: string | null;
  proposed_by: string;
  answered_by: string | null;
  created_at: Date | string;
  answered_at: Date | string | null;
}

const COLUMNS = `id, direction, proposer, recipient, substance, proposed_schedule, rationale,
  to_char(answer_by, 'YYYY-MM-DD') AS answer_by, status, to_char(effective_date, 'YYYY-MM-DD') AS effective_date,
  decline_reason, proposed_by, answered_by, created_at, answered_at`;

const today = (): string => new Date().toISOString().slice(0, 10);

function toProposal(r: Row): Proposal {
  return {
    id: r.id,
    direction: r.direction,
    proposer: r.proposer,
    recipient: r.recipient,
    substance: r.substance,
    proposedSchedule: r.proposed_schedule,
    rationale: r.rationale,
    answerBy: r.answer_by,
    status: r.status,
    overdue: r.status === 'proposed' && r.answer_by < today(),
    effectiveDate: r.effective_date,
    declineReason: r.decline_reason,
    proposedBy: r.proposed_by,
    answeredBy: r.answered_by,
    createdAt: new Date(r.created_at).toISOString(),
    answeredAt: r.answered_at ? new Date(r.answered_at).toISOString() : null,
  };
}

const userName = (actor: Actor): string => {
  if (actor.kind !== 'user') throw new DomainError('forbidden', 'only a signed-in user can do this');
  return actor.username;
};

/**
 * Scheduling proposals: this party asks the partner to control a substance, the partner accepts (with the
 * date its control takes effect) or declines (with a reason). Both travel as signed envelopes through the
 * exchange's outbox in the same transaction as the row they change.
 */
export class SchedulingProposalService {
  constructor(
    private readonly db: Db,
    private readonly exchange: Exchange,
    private readonly party: string,
    private readonly classifier: SubstanceClassifier,
  ) {
    exchange.on(MSG_PROPOSAL, { receive: (tx, env) => this.receiveProposal(tx, env) });
    exchange.on(MSG_PROPOSAL_ANSWER, { receive: (tx, env) => this.receiveAnswer(tx, env) });
  }

  /** @throws DomainError validation_failed (naming the field), not_found (no channel to `to`) */
  async propose(actor: Actor, input: ProposalInput): Promise<Proposal> {
    const by = userName(actor);
    if (input.to === this.party) throw validationError([{ path: 'to', message: 'must be another party' }]);
    if (input.answerBy < today()) throw validationError([{ path: 'answerBy', message: 'is in the past' }]);
    const substance = await this.identify(input.substance);
    const id = newId();
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO substance_proposals (id, direction, proposer, recipient, substance, proposed_schedule, rationale,
           answer_by, status, proposed_by) VALUES ($1, 'outgoing', $2, $3, $4, $5, $6, $7, 'proposed', $8)`,
        [
          id,
          this.party,
          input.to,
          JSON.stringify(substance),
          input.proposedSchedule,
          input.rationale,
          input.answerBy,
          by,
        ],
      );
      const wire = {
        id,
        proposer: this.party,
        recipient: input.to,
        substance,
        proposedSchedule: input.proposedSchedule,
        rationale: input.rationale,
        answerBy: input.answerBy,
      };
      await this.exchange.enqueue(tx, { to: input.to, type: MSG_PROPOSAL, body: { proposal: wire }, ref: id });
      await audit(
        tx,
        actor,
        'substance_proposal.create',
        { type: 'substance_proposal', id },
        { to: input.to, substance: substance.inchikey, proposedSchedule: input.proposedSchedule },
      );
    });
    this.exchange.notify();
    return this.get(id);
  }

  /** @throws DomainError not_found, conflict (not an open proposal to this party) */
  async answer(actor: Actor, id: string, input: AnswerInput): Promise<Proposal> {
    const by = userName(actor);
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<Row>(`SELECT ${COLUMNS} FROM substance_proposals WHERE id = $1 FOR UPDATE`, [id]);
      const row = rows[0];
      if (!row) throw notFound('proposal', id);
      if (row.direction !== 'incoming') {
        throw new DomainError('conflict', 'only the party a proposal was made to can answer it');
      }
      if (row.status !== 'proposed') throw new DomainError('conflict', `proposal is already ${row.status}`);
      const accepted = input.decision === 'accept';
      await tx.query(
        `UPDATE substance_proposals SET status = $2, effective_date = $3, decline_reason = $4, answered_by = $5,
           answered_at = now() WHERE id = $1`,
        [
          id,
          accepted ? 'accepted' : 'declined',
          accepted ? input.effectiveDate : null,
          accepted ? null : input.reason,
          by,
        ],
      );
      const body = accepted
        ? { proposalId: id, decision: 'accept', effectiveDate: input.effectiveDate }
        : { proposalId: id, decision: 'decline', reason: input.reason };
      await this.exchange.enqueue(tx, { to: row.proposer, type: MSG_PROPOSAL_ANSWER, body, ref: id });
      await audit(
        tx,
        actor,
        `substance_proposal.${accepted ? 'accept' : 'decline'}`,
        { type: 'substance_proposal', id },
        body,
      );
    });
    this.exchange.notify();
    return this.get(id);
  }

  async list(actor: Actor): Promise<Proposal[]> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM substance_proposals ORDER BY created_at DESC`);
    await audit(this.db, actor, 'substance_proposal.list', { type: 'substance_proposal' }, { count: rows.length });
    return rows.map(toProposal);
  }

  async get(id: string): Promise<Proposal> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM substance_proposals WHERE id = $1`, [id]);
    if (!rows[0]) throw notFound('proposal', id);
    return toProposal(rows[0]);
  }

  /** The substance as both sides will see it: name, InChIKey and canonical SMILES from the engine. */
  private async identify(text: string): Promise<SubstanceRef> {
    const looksLikeStructure = !/\s/.test(text) && /[=#()[\]\d]|^[A-Za-z]{1,3}$/.test(text);
    let c;
    try {
      c = await this.classifier.classify({ q: text });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') {
        throw validationError([
          {
            path: 'substance',
            message: error.details.issues?.[0]?.message ?? 'is neither a structure nor a known name',
          },
        ]);
      }
      throw error;
    }
    const listed = c.matches[0]?.name;
    return {
      name: listed ?? (looksLikeStructure ? c.canonicalSmiles : text),
      inchikey: c.inchikey,
      smiles: c.canonicalSmiles,
    };
  }

  private async receiveProposal(tx: Queryable, env: Envelope): Promise<void> {
    const wire = parseWith(WireProposal, (env.body as { proposal?: unknown }).proposal, 'proposal');
    if (wire.proposer !== env.from || wire.recipient !== this.party) {
      throw validationError([
        { path: 'proposal.recipient', message: `proposal is from ${wire.proposer} to ${wire.recipient}` },
      ]);
    }
    const inserted = await tx.query(
      `INSERT INTO substance_proposals (id, direction, proposer, recipient, substance, proposed_schedule, rationale,
         answer_by, status, proposed_by) VALUES ($1, 'incoming', $2, $3, $4, $5, $6, $7, 'proposed', $8)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        wire.id,
        wire.proposer,
        wire.recipient,
        JSON.stringify(wire.substance),
        wire.proposedSchedule,
        wire.rationale,
        wire.answerBy,
        `peer:${env.from}`,
      ],
    );
    if (inserted.rows.length === 0) return;
    await audit(
      tx,
      { kind: 'peer', party: env.from },
      'substance_proposal.received',
      { type: 'substance_proposal', id: wire.id },
      { substance: wire.substance.inchikey, proposedSchedule: wire.proposedSchedule, answerBy: wire.answerBy },
    );
  }

  private async receiveAnswer(tx: Queryable, env: Envelope): Promise<void> {
    const wire = parseWith(WireAnswer, env.body, '');
    if (wire.decision === 'accept' && !wire.effectiveDate) {
      throw validationError([{ path: 'effectiveDate', message: 'an acceptance needs the date control takes effect' }]);
    }
    const { rows } = await tx.query<Row>(`SELECT ${COLUMNS} FROM substance_proposals WHERE id = $1 FOR UPDATE`, [
      wire.proposalId,
    ]);
    const row = rows[0];
    if (!row || row.direction !== 'outgoing' || row.recipient !== env.from) {
      throw validationError([
        { path: 'proposalId', message: `no proposal ${wire.proposalId} was made to ${env.from}` },
      ]);
    }
    if (row.status !== 'proposed') return;
    const accepted = wire.decision === 'accept';
    await tx.query(
      `UPDATE substance_proposals SET status = $2, effective_date = $3, decline_reason = $4, answered_by = $5,
         answered_at = now() WHERE id = $1`,
      [
        wire.proposalId,
        accepted ? 'accepted' : 'declined',
        accepted ? (wire.effectiveDate ?? null) : null,
        accepted ? null : (wire.reason ?? ''),
        `peer:${env.from}`,
      ],
    );
    await audit(
      tx,
      { kind: 'peer', party: env.from },
      `substance_proposal.${accepted ? 'accepted' : 'declined'}_by_peer`,
      { type: 'substance_proposal', id: wire.proposalId },
      accepted ? { effectiveDate: wire.effectiveDate } : { reason: wire.reason },
    );
  }
}
