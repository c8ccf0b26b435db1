import { z } from 'zod';
import { PARTY_CODE } from '../../common/parties.ts';
import { storableDate, storableDateTime } from '../../common/validation.ts';

export const PACKAGE_KINDS = ['intelligence', 'request', 'response', 'alert', 'incident'] as const;
export type PackageKind = (typeof PACKAGE_KINDS)[number];

export const PACKAGE_STATUSES = [
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
export type PackageStatus = (typeof PACKAGE_STATUSES)[number];

/** TLP 2.0 labels (FIRST). */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;

const PartyCode = z.string().regex(PARTY_CODE, 'must be a party code such as US, CN, MX');

/** A handling marking: TLP plus the parties the item may be released to. */
export const MarkingSchema = z.object({
  tlp: z.enum(TLP_LEVELS),
  releasableTo: z.array(PartyCode).max(20),
});
export type Marking = z.infer<typeof MarkingSchema>;

/** Admiralty (NATO STANAG 2511) grading: source reliability A-F, information credibility 1-6. */
export const GradeSchema = z.object({
  source: z.enum(['A', 'B', 'C', 'D', 'E', 'F']),
  info: z.enum(['1', '2', '3', '4', '5', '6']),
});

const PropertyValues = z
  .union([z.string(), z.array(z.string()).max(100)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

export const EntityInputSchema = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 letters, digits, dots, colons, dashes or underscores')
    .optional(),
  schema: z.string().min(1),
  properties: z.record(z.string(), PropertyValues),
  marking: MarkingSchema.optional(),
});

const SHA256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256');

export const AttachmentInputSchema = z.object({
  name: z.string().min(1).max(255),
  mediaType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a media type such as application/pdf'),
  contentBase64: z.base64('must be base64'),
  /** If given, must equal the SHA-256 of the content: proves the file arrived intact. */
  sha256: SHA256.optional(),
  marking: MarkingSchema.optional(),
});

export const NewPackageSchema = z.object({
  kind: z.enum(PACKAGE_KINDS),
  recipient: PartyCode,
  title: z.string().trim().min(1, 'is required').max(300),
  narrative: z.object({ text: z.string().max(100_000), marking: MarkingSchema.optional() }),
  marking: MarkingSchema,
  grade: GradeSchema,
  dueDate: storableDate().optional(),
  inReplyTo: z.uuid().optional(),
  entities: z.array(EntityInputSchema).max(5000).default([]),
  attachments: z.array(AttachmentInputSchema).max(50).default([]),
  /** Never leaves this node. */
  internalNotes: z.string().max(20_000).optional(),
});
export type NewPackage = z.infer<typeof NewPackageSchema>;

export const RetractSchema = z.object({ reason: z.string().trim().min(1, 'is required').max(2000) });

/** Body of the acknowledge, close and retract messages between nodes. */
export const StatusMessageSchema = z.object({
  packageId: z.uuid('must be a package id (UUID)'),
  reason: z.string().max(2000).optional(),
});

export const ListQuerySchema = z.object({
  box: z.enum(['inbox', 'outbox', 'drafts', 'approvals', 'all']).default('all'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** Items of a package as stored and as sent: every one carries its own marking. */
export interface PackageEntity {
  id: string;
  schema: string;
  properties: Record<string, string[]>;
  marking: Marking;
}

export interface PackageAttachment {
  id: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  contentBase64: string;
  marking: Marking;
}

export interface PackageContent {
  narrative: { text: string; marking: Marking };
  entities: PackageEntity[];
  attachments: PackageAttachment[];
}

/** What crosses to the peer: the package without anything internal to the node. */
export const WirePackageSchema = z.object({
  id: z.uuid(),
  kind: z.enum(PACKAGE_KINDS),
  originParty: PartyCode,
  recipient: PartyCode,
  title: z.string().min(1).max(300),
  marking: MarkingSchema,
  grade: GradeSchema,
  dueDate: storableDate().nullable(),
  inReplyTo: z.uuid().nullable(),
  createdAt: storableDateTime(),
  narrative: z.object({ text: z.string().max(100_000), marking: MarkingSchema }),
  entities: z.array(
    z.object({
      id: z.string(),
      schema: z.string(),
      properties: z.record(z.string(), z.array(z.string())),
      marking: MarkingSchema,
    }),
  ),
  attachments: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      mediaType: z.string(),
      size: z.number().int().nonnegative(),
      sha256: SHA256,
      contentBase64: z.string(),
      marking: MarkingSchema,
    }),
  ),
});
export type WirePackage = z.infer<typeof WirePackageSchema>;

export interface UserRef {
  id: string;
  username: string;
  displayName: string;
}

export interface PackageSummary {
  id: string;
  direction: 'outgoing' | 'incoming';
  originParty: string;
  counterparty: string;
  kind: PackageKind;
  title: string;
  status: PackageStatus;
  tlp: string;
  releasableTo: string[];
  grade: { source: string; info: string };
  dueDate: string | null;
  overdue: boolean;
  inReplyTo: string | null;
  createdAt: string;
  sentAt: string | null;
  createdBy: UserRef | null;
  approvedBy: UserRef | null;
}

export interface Package extends PackageSummary {
  narrative: { text: string; marking: Marking };
  entities: PackageEntity[];
  attachments: Omit<PackageAttachment, 'contentBase64'>[];
  internalNotes: string | null;
  timestamps: Record<
    | 'createdAt'
    | 'approvedAt'
    | 'sentAt'
    | 'deliveredAt'
    | 'acknowledgedAt'
    | 'answeredAt'
    | 'closedAt'
    | 'retractedAt',
    string | null
  >;
  retractionReason: string | null;
  contentHash: string | null;
  responses: PackageSummary[];
}
