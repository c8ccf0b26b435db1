/** Shapes of the node's JSON API (base /api/v1), as the web UI uses them. */

export const ROLES = ['admin', 'liaison', 'analyst', 'regulator', 'lead', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const KINDS = ['intelligence', 'request', 'response', 'alert', 'incident'] as const;
export type Kind = (typeof KINDS)[number];

export const STATUSES = [
  'draft',
  'approved',
  'sent',
  'delivered',
  'acknowledged',
  'answered',
  'closed',
  'retracted',
  'rejected',
] as const;
export type Status = (typeof STATUSES)[number];

export const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLPS)[number];

export const SOURCE_GRADES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type SourceGrade = (typeof SOURCE_GRADES)[number];
export const INFO_GRADES = ['1', '2', '3', '4', '5', '6'] as const;
export type InfoGrade = (typeof INFO_GRADES)[number];

export type Direction = 'outgoing' | 'incoming';
export type Box = 'inbox' | 'outbox' | 'drafts' | 'approvals' | 'all';

export interface PartyNames {
  en: string;
  zh: string;
  es: string;
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
}

export interface UserRef {
  id: string;
  username: string;
  displayName: string;
}

export interface Me {
  /** Null only for API-token callers without a user; the web UI treats it as signed out. */
  user: User;
  party: { code: string; names: PartyNames };
}

export interface LoginResult {
  user: User;
  expiresAt: string;
}

export interface PeerKey {
  kid: string;
  publicJwk: unknown;
  createdAt: string;
  retiredAt: string | null;
}

export interface Peer {
  party: string;
  names: PartyNames;
  url: string;
  keys: PeerKey[];
}

export interface Channel {
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

export interface Marking {
  tlp: Tlp;
  releasableTo: string[];
}

export interface Grade {
  source: SourceGrade;
  info: InfoGrade;
}

export interface PackageSummary {
  id: string;
  direction: Direction;
  originParty: string;
  counterparty: string;
  kind: Kind;
  title: string;
  status: Status;
  tlp: Tlp;
  releasableTo: string[];
  grade: Grade;
  dueDate: string | null;
  overdue: boolean;
  inReplyTo: string | null;
  createdAt: string;
  sentAt: string | null;
  createdBy: UserRef | null;
  approvedBy: UserRef | null;
}

export interface Entity {
  id: string;
  schema: string;
  properties: Record<string, string[]>;
  marking: Marking;
}

export interface Attachment {
  id: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  marking: Marking;
}

export const LIFECYCLE = [
  'createdAt',
  'approvedAt',
  'sentAt',
  'deliveredAt',
  'acknowledgedAt',
  'answeredAt',
  'closedAt',
  'retractedAt',
] as const;
export type LifecycleStep = (typeof LIFECYCLE)[number];

export interface Package extends PackageSummary {
  narrative: { text: string; marking: Marking };
  entities: Entity[];
  attachments: Attachment[];
  internalNotes: string | null;
  timestamps: Partial<Record<LifecycleStep, string | null>>;
  retractionReason: string | null;
  contentHash: string | null;
  responses: PackageSummary[];
}

export interface HistoryEntry {
  id: string;
  at: string;
  actor: unknown;
  action: string;
  targetType: string;
  targetId: string;
  details: unknown;
}

export interface NewEntity {
  id?: string;
  schema: string;
  properties: Record<string, string[]>;
  marking?: Marking;
}

export interface NewAttachment {
  name: string;
  mediaType: string;
  contentBase64: string;
  marking?: Marking;
}

export interface NewPackage {
  kind: Kind;
  recipient: string;
  title: string;
  narrative: { text: string; marking?: Marking };
  marking: Marking;
  grade: Grade;
  dueDate?: string;
  inReplyTo?: string;
  entities?: NewEntity[];
  attachments?: NewAttachment[];
  internalNotes?: string;
}

export type PackageAction = 'approve' | 'send' | 'acknowledge' | 'close';

export interface FieldIssue {
  path: string;
  message: string;
}

/** RFC 9457 problem details, as the node sends them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  issues?: FieldIssue[];
  [extension: string]: unknown;
}

export const SUBSTANCE_STATUSES = [
  'controlled',
  'controlled-by-class',
  'precursor',
  'uncontrolled-analogue',
  'not-controlled',
] as const;
export type SubstanceStatus = (typeof SUBSTANCE_STATUSES)[number];

/** A listing that applies, as GET /substances/classify returns it. */
export interface ControlEntryRef {
  substance: string;
  name: string;
  list: string;
  schedule: string;
  effective: string;
  citation: string;
  verified: boolean;
  form: 'same' | 'stereoisomer' | 'other-form';
}

export interface SubstanceVerdict {
  jurisdiction: string;
  status: SubstanceStatus;
  basis: string;
  entries?: ControlEntryRef[];
  classDefinition?: { id: string; title: string; citation: string; modifications: string[]; failures: string[] };
  neighbour?: { substance: string; name: string; similarity: number };
}

export interface Classification {
  canonicalSmiles: string;
  inchi: string;
  inchikey: string;
  formula: string;
  mass: number | null;
  removedFragments: string[];
  matches: { id: string; name: string; form: ControlEntryRef['form'] }[];
  verdicts: SubstanceVerdict[];
  asOf: string;
  dataVersion: string;
}

/** The verifiable record (RFC 9162 Merkle log): `/ledger/*`, for auditors, admins and leads. */
export interface LedgerCountersignature {
  party: string;
  kid: string;
  jws: string;
  receivedAt: string;
}

export interface LedgerHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  kid: string;
  jws: string;
  countersignatures: LedgerCountersignature[];
}

export interface LedgerPeerHead {
  party: string;
  treeSize: number;
  rootHash: string;
  timestamp: string;
  headJws: string;
  countersignatureJws: string;
  consistencyFrom: number | null;
  receivedAt: string;
}

export interface LedgerHeads {
  size: number;
  heads: LedgerHead[];
  peerHeads: LedgerPeerHead[];
}

export interface LedgerLeaf {
  index: number;
  at: string;
  eventType: string;
  /** The recorded event: for exchange events `peer`, `seq`, `messageType`, `envelopeId`… */
  event: Record<string, unknown>;
  leafHash: string;
}

export interface LedgerLeaves {
  size: number;
  leaves: LedgerLeaf[];
}

export interface InclusionProof {
  index: number;
  treeSize: number;
  leafHash: string;
  rootHash: string;
  /** Audit path, hex SHA-256 hashes from the leaf up. */
  proof: string[];
  signedHead: string | null;
}

export interface LedgerBrokenEntry {
  kind: 'leaf' | 'tree_head' | 'countersignature' | 'peer_head';
  entry: string;
  problem: string;
  index?: number;
  treeSize?: number;
  party?: string;
}

export interface LedgerVerifyReport {
  ok: boolean;
  party: string;
  leaves: number;
  heads: number;
  countersignatures: number;
  peerHeads: number;
  firstBroken?: LedgerBrokenEntry;
}
