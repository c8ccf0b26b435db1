import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../../http/route.ts';
import { listAudit } from '../../platform/audit.ts';
import type { PackageService } from './packages.service.ts';

const WRITERS = ['liaison', 'analyst', 'regulator', 'admin'] as const;
const RELEASERS = ['liaison', 'admin'] as const;
const IdParams = z.object({ id: z.uuid('must be a package id (UUID)') });

export function packageRoutes(packages: PackageService): AnyRoute[] {
  const tag = 'packages';
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/packages',
      tag,
      summary: 'List packages by box (inbox, outbox, drafts, approvals, all)',
      auth: { roles: 'any' },
      handler: ({ actor, request }) => packages.list(actor, request.query),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/packages',
      tag,
      summary: 'Create a draft package',
      status: 201,
      auth: { roles: WRITERS },
      handler: ({ actor, request }) => packages.create(actor, request.body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/deadlines',
      tag,
      summary: 'Requests with due dates, both directions, overdue flagged',
      auth: { roles: 'any' },
      handler: ({ actor }) => packages.deadlines(actor),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/packages/:id',
      tag,
      summary: 'Read one package (audited)',
      auth: { roles: 'any' },
      params: IdParams,
      handler: ({ actor, params }) => packages.get(actor, params.id),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/packages/:id/history',
      tag,
      summary: 'Audit trail of one package',
      auth: { roles: 'any' },
      params: IdParams,
      handler: ({ ctx, params }) => listAudit(ctx.db, { targetType: 'package', targetId: params.id, limit: 500 }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/packages/:id/approve',
      tag,
      summary: 'Approve release (four-eyes: not by the author)',
      auth: { roles: RELEASERS },
      params: IdParams,
      handler: ({ actor, params }) => packages.approve(actor, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/packages/:id/send',
      tag,
      summary: 'Sign and send an approved package',
      auth: { roles: RELEASERS },
      params: IdParams,
      handler: ({ actor, params }) => packages.send(actor, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/packages/:id/acknowledge',
      tag,
      summary: 'Acknowledge a received package',
      auth: { roles: RELEASERS },
      params: IdParams,
      handler: ({ actor, params }) => packages.acknowledge(actor, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/packages/:id/close',
      tag,
      summary: 'Close a sent package',
      auth: { roles: RELEASERS },
      params: IdParams,
      handler: ({ actor, params }) => packages.close(actor, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/packages/:id/retract',
      tag,
      summary: 'Retract a sent package, with a reason',
      auth: { roles: RELEASERS },
      params: IdParams,
      handler: ({ actor, params, request }) => packages.retract(actor, params.id, request.body),
    }),
  ];
}
