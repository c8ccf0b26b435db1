import type { FastifyInstance } from 'fastify';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../http/server.ts';
import { listAudit } from '../../platform/audit.ts';
import type { CountersignNode } from '../../node.ts';
import {
  addUser,
  api,
  eventually,
  samplePackage,
  startFederation,
  type Federation,
  type TestUser,
} from '../../../test/support/nodes.ts';
import { SubstanceClassifier } from './classifier.service.ts';
import { SchedulingGapService } from './scheduling-gaps.service.ts';
import { SchedulingProposalService } from './scheduling-proposals.service.ts';
import { schedulingRoutes } from './scheduling.routes.ts';

// Until createNode wires these routes, each test node gets a server of its own over its context and exchange.
async function serverFor(node: CountersignNode, classifier: SubstanceClassifier): Promise<FastifyInstance> {
  const gaps = new SchedulingGapService(node.ctx.db, classifier);
  const proposals = new SchedulingProposalService(node.ctx.db, node.exchange, node.ctx.config.party.code, classifier);
  return buildServer(node.ctx, schedulingRoutes(gaps, proposals));
}

async function call(
  server: FastifyInstance,
  user: TestUser | undefined,
  method: 'GET' | 'POST',
  url: string,
  body?: object,
) {
  const response = await server.inject({
    method,
    url,
    headers: user ? { authorization: `Bearer ${user.token}` } : {},
    ...(body ? { payload: body } : {}),
  });
  return response;
}

describe('GET /api/v1/substances/gaps', () => {
  let fed: Federation;
  let server: FastifyInstance;
  let analyst: TestUser;

  beforeAll(async () => {
    // Peered (for a package addressed to CN) but not listening: nothing needs to be delivered here.
    fed = await startFederation({ listen: false });
    analyst = fed.usAnalyst;
    server = await serverFor(fed.us, await SubstanceClassifier.create());
    const created = await api(
      fed.us,
      analyst,
      'POST',
      '/api/v1/packages',
      samplePackage({ narrative: { text: 'A broker in Wuhan sells 4-piperidone by the drum.' } }),
    );
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
    await fed?.close();
  });

  it('lists substances controlled by one party and not the other, with since-when and sightings', async () => {
    const response = await call(server, analyst, 'GET', '/api/v1/substances/gaps?a=US&b=CN&asOf=2026-06-01');
    expect(response.statusCode).toBe(200);
    const report = response.json();
    expect(report).toMatchObject({ a: 'US', b: 'CN', asOf: '2026-06-01' });
    const piperidone = report.rows.find((r: { name: string }) => r.name === '4-piperidone');
    expect(piperidone).toMatchObject({
      controlledBy: 'a',
      a: { status: 'precursor', since: '2023-05-12' },
      b: { status: 'not-controlled', since: null },
      seen: 1,
    });
    const apaan = report.rows.find((r: { name: string }) => r.name === 'APAAN');
    expect(apaan).toMatchObject({ controlledBy: 'b', a: { since: null }, b: { status: 'precursor' }, seen: 0 });
    // Substances both control (fentanyl) or neither controls are not gaps.
    expect(report.rows.map((r: { name: string }) => r.name)).not.toContain('fentanyl');
  });

  it('exports the same report as CSV with a column pair per party', async () => {
    const response = await call(server, analyst, 'GET', '/api/v1/substances/gaps.csv?a=US&b=CN&asOf=2026-06-01');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    const rows = parse(response.body, { columns: true }) as Record<string, string>[];
    const piperidone = rows.find((r) => r.substance === '4-piperidone');
    expect(piperidone).toMatchObject({
      controlled_by: 'US',
      US_status: 'precursor',
      US_since: '2023-05-12',
      CN_status: 'not-controlled',
      CN_since: '',
      seen_in_packages: '1',
    });
  });

  it('refuses the same party twice or an unknown one, naming the field', async () => {
    const same = await call(server, analyst, 'GET', '/api/v1/substances/gaps?a=US&b=US');
    expect(same.statusCode).toBe(400);
    expect(same.json().issues).toEqual([expect.objectContaining({ path: 'query.b' })]);
    const unknown = await call(server, analyst, 'GET', '/api/v1/substances/gaps?a=US&b=XX');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().issues).toEqual([expect.objectContaining({ path: 'query.b' })]);
  });

  it('asks for a signed-in user', async () => {
    expect((await call(server, undefined, 'GET', '/api/v1/substances/gaps?a=US&b=CN')).statusCode).toBe(401);
  });
});

describe('scheduling proposals between two nodes', () => {
  let fed: Federation;
  let usServer: FastifyInstance;
  let cnServer: FastifyInstance;
  let usLead: TestUser;
  let cnRegulator: TestUser;
  const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    fed = await startFederation();
    const classifier = await SubstanceClassifier.create();
    [usServer, cnServer] = await Promise.all([serverFor(fed.us, classifier), serverFor(fed.cn, classifier)]);
    [usLead, cnRegulator] = await Promise.all([
      addUser(fed.us, 'lead', ['lead']),
      addUser(fed.cn, 'zhao', ['regulator']),
    ]);
  });
  afterAll(async () => {
    await usServer?.close();
    await cnServer?.close();
    await fed?.close();
  });

  const propose = (substance: string) =>
    call(usServer, usLead, 'POST', '/api/v1/substances/proposals', {
      substance,
      to: 'CN',
      proposedSchedule: 'Category I precursor',
      rationale: 'Seized in three shipments this year; direct precursor of 4-anilinopiperidines.',
      answerBy: inAMonth,
    });
  const incoming = async (id: string) => {
    const list = await call(cnServer, cnRegulator, 'GET', '/api/v1/substances/proposals');
    return (list.json().proposals as { id: string; status: string }[]).find((p) => p.id === id);
  };
  const outgoing = async (id: string) => {
    const list = await call(usServer, usLead, 'GET', '/api/v1/substances/proposals');
    return (list.json().proposals as { id: string; status: string }[]).find((p) => p.id === id);
  };

  it('carries a proposal to the partner and its acceptance back, auditing each step', async () => {
    const created = await propose('4-piperidone');
    expect(created.statusCode).toBe(201);
    const proposal = created.json();
    expect(proposal).toMatchObject({
      direction: 'outgoing',
      proposer: 'US',
      recipient: 'CN',
      status: 'proposed',
      overdue: false,
      substance: { name: '4-piperidone', inchikey: expect.stringMatching(/^[A-Z]{14}-/) },
    });

    const received = await eventually(() => incoming(proposal.id), 20_000, 'the proposal on CN');
    expect(received).toMatchObject({ direction: 'incoming', status: 'proposed', answerBy: inAMonth });

    const answered = await call(cnServer, cnRegulator, 'POST', `/api/v1/substances/proposals/${proposal.id}/answer`, {
      decision: 'accept',
      effectiveDate: '2027-01-01',
    });
    expect(answered.statusCode).toBe(200);
    expect(answered.json()).toMatchObject({ status: 'accepted', effectiveDate: '2027-01-01' });

    const back = await eventually(
      async () => {
        const p = await outgoing(proposal.id);
        return p?.status === 'accepted' ? p : undefined;
      },
      20_000,
      'the acceptance on US',
    );
    expect(back).toMatchObject({ effectiveDate: '2027-01-01', answeredBy: 'peer:CN' });

    const usAudit = await listAudit(fed.us.ctx.db, {
      targetType: 'substance_proposal',
      targetId: proposal.id,
      limit: 10,
    });
    expect(usAudit.map((e) => e.action).sort()).toEqual([
      'substance_proposal.accepted_by_peer',
      'substance_proposal.create',
    ]);
    const cnAudit = await listAudit(fed.cn.ctx.db, {
      targetType: 'substance_proposal',
      targetId: proposal.id,
      limit: 10,
    });
    expect(cnAudit.map((e) => e.action).sort()).toEqual(['substance_proposal.accept', 'substance_proposal.received']);
  });

  it('carries a decline with its reason back, and refuses a second answer', async () => {
    const proposal = (await propose('CC(=O)C1CCN(C(=O)OC(C)(C)C)CC1')).json();
    await eventually(() => incoming(proposal.id), 20_000, 'the proposal on CN');
    const declined = await call(cnServer, cnRegulator, 'POST', `/api/v1/substances/proposals/${proposal.id}/answer`, {
      decision: 'decline',
      reason: 'No seizures in our jurisdiction; under review next year.',
    });
    expect(declined.statusCode).toBe(200);
    const again = await call(cnServer, cnRegulator, 'POST', `/api/v1/substances/proposals/${proposal.id}/answer`, {
      decision: 'accept',
      effectiveDate: '2027-01-01',
    });
    expect(again.statusCode).toBe(409);
    const back = await eventually(
      async () => {
        const p = await outgoing(proposal.id);
        return p?.status === 'declined' ? p : undefined;
      },
      20_000,
      'the decline on US',
    );
    expect(back).toMatchObject({ declineReason: 'No seizures in our jurisdiction; under review next year.' });
  });

  it('flags a proposal still unanswered after its answer-by date as overdue on both sides', async () => {
    const proposal = (await propose('APAAN')).json();
    await eventually(() => incoming(proposal.id), 20_000, 'the proposal on CN');
    // Time passing, without waiting for it: the answer-by date moves into the past on both nodes.
    for (const node of [fed.us, fed.cn]) {
      await node.ctx.db.query(`UPDATE substance_proposals SET answer_by = DATE '2020-01-01' WHERE id = $1`, [
        proposal.id,
      ]);
    }
    expect(await outgoing(proposal.id)).toMatchObject({ status: 'proposed', overdue: true });
    expect(await incoming(proposal.id)).toMatchObject({ status: 'proposed', overdue: true });
  });

  it('refuses bad proposals naming the field, and users without a scheduling role', async () => {
    const bad = await call(usServer, usLead, 'POST', '/api/v1/substances/proposals', {
      substance: 'unobtainium',
      to: 'CN',
      proposedSchedule: 'I',
      rationale: 'x',
      answerBy: inAMonth,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([expect.objectContaining({ path: 'substance' })]);
    const past = await call(usServer, usLead, 'POST', '/api/v1/substances/proposals', {
      substance: 'APAAN',
      to: 'CN',
      proposedSchedule: 'I',
      rationale: 'x',
      answerBy: '2020-01-01',
    });
    expect(past.json().issues).toEqual([expect.objectContaining({ path: 'answerBy' })]);
    const self = await call(usServer, usLead, 'POST', '/api/v1/substances/proposals', {
      substance: 'APAAN',
      to: 'US',
      proposedSchedule: 'I',
      rationale: 'x',
      answerBy: inAMonth,
    });
    expect(self.json().issues).toEqual([expect.objectContaining({ path: 'to' })]);
    const analyst = await call(usServer, fed.usAnalyst, 'POST', '/api/v1/substances/proposals', {
      substance: 'APAAN',
      to: 'CN',
      proposedSchedule: 'I',
      rationale: 'x',
      answerBy: inAMonth,
    });
    expect(analyst.statusCode).toBe(403);
  });

  it('lets only the party a proposal was made to answer it', async () => {
    const proposal = (await propose('4-piperidone')).json();
    const own = await call(usServer, usLead, 'POST', `/api/v1/substances/proposals/${proposal.id}/answer`, {
      decision: 'accept',
      effectiveDate: '2027-01-01',
    });
    expect(own.statusCode).toBe(409);
  });
});
