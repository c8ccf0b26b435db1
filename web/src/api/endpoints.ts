import { request } from './client';
import type {
  Box,
  Channel,
  Classification,
  HistoryEntry,
  InclusionProof,
  LedgerHeads,
  LedgerLeaves,
  LedgerVerifyReport,
  LoginResult,
  Me,
  NewPackage,
  Package,
  PackageAction,
  PackageSummary,
  Peer,
} from './types';

const enc = encodeURIComponent;

export const api = {
  login: (username: string, password: string) =>
    request<LoginResult>('POST', '/auth/login', { username, password }, { quiet401: true }),
  logout: () => request<unknown>('POST', '/auth/logout', {}, { quiet401: true }),
  me: () => request<Me>('GET', '/me', undefined, { quiet401: true }),

  peers: () => request<Peer[]>('GET', '/peers'),
  channels: () => request<Channel[]>('GET', '/channels'),
  suspendChannel: (peer: string, reason: string) =>
    request<Channel>('POST', `/channels/${enc(peer)}/suspend`, { reason }),
  resumeChannel: (peer: string) => request<Channel>('POST', `/channels/${enc(peer)}/resume`, {}),

  packages: async (box: Box) => (await request<{ items: PackageSummary[] }>('GET', `/packages?box=${box}`)).items,
  deadlines: async () => (await request<{ items: PackageSummary[] }>('GET', '/deadlines')).items,
  package: (id: string) => request<Package>('GET', `/packages/${enc(id)}`),
  history: (id: string) => request<HistoryEntry[]>('GET', `/packages/${enc(id)}/history`),
  createPackage: (input: NewPackage) => request<Package>('POST', '/packages', input),
  act: (id: string, action: PackageAction) => request<Package>('POST', `/packages/${enc(id)}/${action}`, {}),
  retract: (id: string, reason: string) => request<Package>('POST', `/packages/${enc(id)}/retract`, { reason }),

  classify: (q: string, asOf?: string) =>
    request<Classification>('GET', `/substances/classify?q=${enc(q)}${asOf ? `&asOf=${enc(asOf)}` : ''}`),
  /** SVG markup of the structure, the matched class scaffold highlighted. */
  depict: (q: string) => request<string>('GET', `/substances/depict?q=${enc(q)}`, undefined, { text: true }),

  ledgerHeads: (limit = 50) => request<LedgerHeads>('GET', `/ledger/heads?limit=${limit}`),
  ledgerLeaves: (from: number, limit: number) =>
    request<LedgerLeaves>('GET', `/ledger/leaves?from=${from}&limit=${limit}`),
  /** Against the latest signed head unless `treeSize` is given. */
  inclusionProof: (index: number, treeSize?: number) =>
    request<InclusionProof>(
      'GET',
      `/ledger/proofs/inclusion?index=${index}${treeSize === undefined ? '' : `&treeSize=${treeSize}`}`,
    ),
  verifyLedger: () => request<LedgerVerifyReport>('GET', '/ledger/verify'),
};
