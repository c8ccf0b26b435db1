import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../../http/route.ts';
import { JURISDICTIONS } from './control-data.ts';
import type { SchedulingGapService } from './scheduling-gaps.service.ts';
import { AnswerInput, ProposalInput, type SchedulingProposalService } from './scheduling-proposals.service.ts';

const GapQuery = z
  .object({
    a: z.enum(JURISDICTIONS, { message: `must be one of ${JURISDICTIONS.join(', ')}` }),
    b: z.enum(JURISDICTIONS, { message: `must be one of ${JURISDICTIONS.join(', ')}` }),
    asOf: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
      .optional(),
  })
  .refine((q) => q.a !== q.b, { path: ['b'], message: 'must differ from a' });

const IdParams = z.object({ id: z.uuid('must be a proposal id (UUID)') });

/** Who may propose control to the partner and answer the partner's proposals. */
const SCHEDULERS = ['lead', 'regulator', 'admin'] as const;

/** Scheduling gaps between two parties (any signed-in user) and scheduling proposals to and from the partner. */
export function schedulingRoutes(gaps: SchedulingGapService, proposals: SchedulingProposalService): AnyRoute[] {
  const tag = 'substances';
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/substances/gaps',
      tag,
      summary: 'Substances controlled by one party and not the other, since when, and how often seen here',
      auth: { roles: 'any' },
      query: GapQuery,
      handler: ({ query }) => gaps.report(query.a, query.b, query.asOf),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/substances/gaps.csv',
      tag,
      summary: 'The scheduling gap report as CSV',
      auth: { roles: 'any' },
      query: GapQuery,
      handler: async ({ query, reply }) => {
        const report = await gaps.report(query.a, query.b, query.asOf);
        const { a, b } = report;
        const csv = stringify(
          report.rows.map((r) => ({
            substance: r.name,
            inchikey: r.inchikey,
            smiles: r.smiles,
            controlled_by: r.controlledBy === 'a' ? a : b,
            [`${a}_status`]: r.a.status,
            [`${a}_since`]: r.a.since ?? '',
            [`${b}_status`]: r.b.status,
            [`${b}_since`]: r.b.since ?? '',
            seen_in_packages: r.seen,
            [`${a}_basis`]: r.a.basis,
            [`${b}_basis`]: r.b.basis,
          })),
          {
            header: true,
            columns: [
              'substance',
              'inchikey',
              'smiles',
              'controlled_by',
              `${a}_status`,
              `${a}_since`,
              `${b}_status`,
              `${b}_since`,
              'seen_in_packages',
              `${a}_basis`,
              `${b}_basis`,
            ],
          },
        );
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="scheduling-gaps-${a}-${b}-${report.asOf}.csv"`)
          .send(csv);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/substances/proposals',
      tag,
      summary: 'Scheduling proposals made and received, with status and an overdue flag',
      auth: { roles: [...SCHEDULERS, 'auditor'] },
      handler: async ({ actor }) => ({ proposals: await proposals.list(actor) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/substances/proposals',
      tag,
      summary: 'Propose that the partner control a substance',
      auth: { roles: SCHEDULERS },
      body: ProposalInput,
      status: 201,
      handler: ({ actor, body }) => proposals.propose(actor, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/substances/proposals/:id/answer',
      tag,
      summary: "Answer the partner's proposal: accept with an effective date, or decline with a reason",
      auth: { roles: SCHEDULERS },
      params: IdParams,
      body: AnswerInput,
      handler: ({ actor, params, body }) => proposals.answer(actor, params.id, body),
    }),
  ];
}
