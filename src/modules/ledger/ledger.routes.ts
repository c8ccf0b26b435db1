import { defineRoute, type AnyRoute } from '../../http/route.ts';
import {
  ConsistencyQuerySchema,
  HeadsQuerySchema,
  InclusionQuerySchema,
  LeavesQuerySchema,
  type LedgerService,
} from './ledger.service.ts';

/** Those who examine the record: it holds no package content, only what was exchanged when. */
const EXAMINERS = ['auditor', 'admin', 'lead'] as const;

export function ledgerRoutes(ledger: LedgerService): AnyRoute[] {
  const tag = 'ledger';
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/ledger/heads',
      tag,
      summary: 'Signed tree heads with the peer’s countersignatures, and the peer’s heads this node countersigned',
      auth: { roles: EXAMINERS },
      query: HeadsQuerySchema,
      handler: ({ query }) => ledger.heads(query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/ledger/leaves',
      tag,
      summary: 'Leaves of the log (exchange events) from an index',
      auth: { roles: EXAMINERS },
      query: LeavesQuerySchema,
      handler: ({ query }) => ledger.leaves(query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/ledger/proofs/inclusion',
      tag,
      summary: 'RFC 9162 inclusion proof of a leaf in a tree (default: the latest signed head)',
      auth: { roles: EXAMINERS },
      query: InclusionQuerySchema,
      handler: ({ query }) => ledger.inclusionProof(query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/ledger/proofs/consistency',
      tag,
      summary: 'RFC 9162 consistency proof between two tree sizes (default second: the latest signed head)',
      auth: { roles: EXAMINERS },
      query: ConsistencyQuerySchema,
      handler: ({ query }) => ledger.consistencyProof(query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/ledger/verify',
      tag,
      summary: 'Rebuild the log from its leaves and check every hash, head and countersignature',
      auth: { roles: EXAMINERS },
      handler: () => ledger.verify(),
    }),
  ];
}
