import type { Queryable } from '../../store/db.ts';
import type { PackageContent } from './packages.schema.ts';

export interface PackageRow {
  id: string;
  direction: 'outgoing' | 'incoming';
  origin_party: string;
  counterparty: string;
  kind: string;
  title: string;
  status: string;
  content: PackageContent;
  tlp: string;
  releasable_to: string[];
  source_grade: string;
  info_grade: string;
  due_date: string | Date | null;
  in_reply_to: string | null;
  internal_notes: string | null;
  content_hash: string | null;
  created_by: string | null;
  approved_by: string | null;
  created_at: Date;
  updated_at: Date;
  approved_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  acknowledged_at: Date | null;
  answered_at: Date | null;
  closed_at: Date | null;
  retracted_at: Date | null;
  retraction_reason: string | null;
  created_by_username?: string | null;
  created_by_name?: string | null;
  approved_by_username?: string | null;
  approved_by_name?: string | null;
}

const SELECT_WITH_USERS = `
  SELECT p.*, cu.username AS created_by_username, cu.display_name AS created_by_name,
         au.username AS approved_by_username, au.display_name AS approved_by_name
  FROM packages p
  LEFT JOIN users cu ON cu.id = p.created_by
  LEFT JOIN users au ON au.id = p.approved_by`;

const SUMMARY_COLUMNS = `p.id, p.direction, p.origin_party, p.counterparty, p.kind, p.title, p.status, p.tlp,
  p.releasable_to, p.source_grade, p.info_grade, p.due_date, p.in_reply_to, p.created_by, p.approved_by,
  p.created_at, p.sent_at, p.updated_at, p.approved_at, p.delivered_at, p.acknowledged_at, p.answered_at,
  p.closed_at, p.retracted_at, p.retraction_reason, p.content_hash, NULL::text AS internal_notes,
  cu.username AS created_by_username, cu.display_name AS created_by_name,
  au.username AS approved_by_username, au.display_name AS approved_by_name`;

export async function insertPackage(
  db: Queryable,
  row: Omit<
    PackageRow,
    | 'created_at'
    | 'updated_at'
    | 'approved_at'
    | 'sent_at'
    | 'delivered_at'
    | 'acknowledged_at'
    | 'answered_at'
    | 'closed_at'
    | 'retracted_at'
    | 'retraction_reason'
    | 'approved_by'
  > & {
    created_at?: string;
    delivered_at?: Date | null;
    sent_at?: string | null;
  },
): Promise<boolean> {
  // ON CONFLICT: a package id already here is reported to the caller, not raised by the database,
  // which would abort the whole transaction on PostgreSQL.
  const { rowCount } = await db.query(
    `INSERT INTO packages (id, direction, origin_party, counterparty, kind, title, status, content, tlp, releasable_to,
       source_grade, info_grade, due_date, in_reply_to, internal_notes, content_hash, created_by, created_at,
       delivered_at, sent_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, COALESCE($18::timestamptz, now()), $19, $20)
     ON CONFLICT (id) DO NOTHING`,
    [
      row.id,
      row.direction,
      row.origin_party,
      row.counterparty,
      row.kind,
      row.title,
      row.status,
      JSON.stringify(row.content),
      row.tlp,
      row.releasable_to,
      row.source_grade,
      row.info_grade,
      row.due_date,
      row.in_reply_to,
      row.internal_notes,
      row.content_hash,
      row.created_by,
      row.created_at ?? null,
      row.delivered_at ?? null,
      row.sent_at ?? null,
    ],
  );
  return rowCount > 0;
}

export async function selectPackage(
  db: Queryable,
  id: string,
  direction?: 'outgoing' | 'incoming',
): Promise<PackageRow | undefined> {
  const { rows } = await db.query<PackageRow>(
    `${SELECT_WITH_USERS} WHERE p.id = $1 AND ($2::text IS NULL OR p.direction = $2)`,
    [id, direction ?? null],
  );
  return rows[0];
}

export async function lockPackage(db: Queryable, id: string): Promise<PackageRow | undefined> {
  const { rows } = await db.query<PackageRow>('SELECT * FROM packages WHERE id = $1 FOR UPDATE', [id]);
  return rows[0];
}

/** Summaries only: the list never loads content. */
export async function selectPackageSummaries(
  db: Queryable,
  filter: {
    direction?: 'outgoing' | 'incoming';
    statuses?: string[];
    inReplyTo?: string;
    withDueDate?: boolean;
    limit: number;
  },
): Promise<PackageRow[]> {
  const { rows } = await db.query<PackageRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM packages p
     LEFT JOIN users cu ON cu.id = p.created_by
     LEFT JOIN users au ON au.id = p.approved_by
     WHERE ($1::text IS NULL OR p.direction = $1)
       AND ($2::text[] IS NULL OR p.status = ANY($2))
       AND ($3::uuid IS NULL OR p.in_reply_to = $3)
       AND (NOT $4 OR p.due_date IS NOT NULL)
     ORDER BY ${'COALESCE(p.sent_at, p.delivered_at, p.created_at)'} DESC, p.id LIMIT $5`,
    [
      filter.direction ?? null,
      filter.statuses ?? null,
      filter.inReplyTo ?? null,
      filter.withDueDate ?? false,
      filter.limit,
    ],
  );
  return rows;
}

type Stamp =
  'approved_at' | 'sent_at' | 'delivered_at' | 'acknowledged_at' | 'answered_at' | 'closed_at' | 'retracted_at';

/** Moves a package to `status` and stamps when; extra columns (approver, hash) set alongside. */
export async function updatePackageStatus(
  db: Queryable,
  id: string,
  status: string,
  stamp: Stamp | null,
  extra: { approved_by?: string; content_hash?: string; retraction_reason?: string } = {},
): Promise<void> {
  await db.query(
    `UPDATE packages SET status = $2, updated_at = now()
       ${stamp ? `, ${stamp} = COALESCE(${stamp}, now())` : ''}
       , approved_by = COALESCE($3::uuid, approved_by)
       , content_hash = COALESCE($4, content_hash)
       , retraction_reason = COALESCE($5, retraction_reason)
     WHERE id = $1`,
    [id, status, extra.approved_by ?? null, extra.content_hash ?? null, extra.retraction_reason ?? null],
  );
}

/** Marks packages delivered on the peer's receipts; a package already further along keeps its status. */
export async function markPackagesDelivered(db: Queryable, ids: string[]): Promise<void> {
  await db.query(
    `UPDATE packages SET status = CASE WHEN status = 'sent' THEN 'delivered' ELSE status END,
       delivered_at = COALESCE(delivered_at, now()), updated_at = now()
     WHERE id = ANY($1::uuid[])`,
    [ids],
  );
}

/** Stamps a moment without changing status (e.g. an answer arriving on a closed request). */
export async function stampPackage(db: Queryable, id: string, stamp: Stamp): Promise<void> {
  await db.query(`UPDATE packages SET ${stamp} = COALESCE(${stamp}, now()), updated_at = now() WHERE id = $1`, [id]);
}
