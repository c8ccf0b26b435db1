import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../../http/route.ts';
import { listAudit } from '../../platform/audit.ts';
import { addPeer, getIdentity, listPeers, type KeyRing } from '../parties/parties.service.ts';
import type { Exchange } from './exchange.service.ts';

const PeerParams = z.object({ peer: z.string().regex(/^[A-Z]{2,3}$/, 'must be a party code') });
const MAX_BATCH = 1000;

export function exchangeRoutes(exchange: Exchange, keyring: KeyRing): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/federation/v1/envelopes',
      tag: 'federation',
      summary: 'Receive signed envelopes from a peer (authenticated by signature against the pinned key)',
      auth: 'peer',
      body: z
        .object({
          envelopes: z
            .array(z.string().max(16 * 1024 * 1024))
            .min(1)
            .max(MAX_BATCH),
        })
        .strict(),
      handler: async ({ body }) => ({ receipts: await exchange.receive(body.envelopes) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/federation/v1/identity',
      tag: 'federation',
      summary: 'This node’s party and public keys, for a peer to pin (verify the fingerprint out of band)',
      auth: 'public',
      handler: async ({ ctx }) => {
        const identity = await getIdentity(ctx.db);
        return {
          party: identity.party,
          names: identity.names,
          keys: identity.keys.map(({ kid, publicJwk, retiredAt }) => ({ kid, publicJwk, retiredAt })),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/node',
      tag: 'parties',
      summary: 'This node’s party identity and keys',
      auth: { roles: 'any' },
      handler: ({ ctx }) => getIdentity(ctx.db),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/node/keys/rotate',
      tag: 'parties',
      summary: 'Rotate the signing key; peers are told under the old key',
      auth: { roles: ['admin'] },
      handler: async ({ actor }) => ({ kid: await exchange.rotateKey(actor) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/peers',
      tag: 'parties',
      summary: 'Peers and their pinned keys',
      auth: { roles: 'any' },
      handler: ({ ctx }) => listPeers(ctx.db),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/peers',
      tag: 'parties',
      summary: 'Add a peer with pinned public keys',
      auth: { roles: ['admin'] },
      status: 201,
      handler: ({ ctx, actor, request }) => addPeer(ctx, keyring, actor, request.body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/channels',
      tag: 'exchange',
      summary: 'State of the channel with each peer',
      auth: { roles: 'any' },
      handler: () => exchange.channels(),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/channels/:peer/suspend',
      tag: 'exchange',
      summary: 'Suspend the channel with a peer (messages queue)',
      auth: { roles: ['admin', 'lead'] },
      params: PeerParams,
      body: z.object({ reason: z.string().trim().min(1, 'is required').max(2000) }),
      handler: ({ actor, params, body }) => exchange.suspend(actor, params.peer, body.reason),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/channels/:peer/resume',
      tag: 'exchange',
      summary: 'Resume the channel; queued messages go in order',
      auth: { roles: ['admin', 'lead'] },
      params: PeerParams,
      handler: ({ actor, params }) => exchange.resume(actor, params.peer),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit',
      tag: 'platform',
      summary: 'The node’s audit log, newest first',
      auth: { roles: ['auditor', 'admin'] },
      query: z.object({
        targetType: z.string().optional(),
        targetId: z.string().optional(),
        limit: z.coerce.number().int().min(1).max(5000).default(200),
      }),
      handler: ({ ctx, query }) => listAudit(ctx.db, query),
    }),
  ];
}
