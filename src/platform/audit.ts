import type { Queryable } from '../store/db.ts';
import { actorLabel, type Actor } from './actor.ts';

/** Records a write, or a read of a package, in the node's audit log (same transaction as the act). */
export async function audit(
  db: Queryable,
  actor: Actor,
  action: string,
  target: { type: string; id?: string | undefined },
  details: Record<string, unknown> = {},
): Promise<void> {
  await db.query('INSERT INTO audit_log (actor, action, target_type, target_id, details) VALUES ($1, $2, $3, $4, $5)', [
    actorLabel(actor),
    action,
    target.type,
    target.id ?? null,
    JSON.stringify(details),
  ]);
}

/** Records several audit entries in one statement (a delivered batch). */
export async function auditMany(
  db: Queryable,
  entries: {
    actor: Actor;
    action: string;
    target: { type: string; id?: string | undefined };
    details?: Record<string, unknown>;
  }[],
): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    `INSERT INTO audit_log (actor, action, target_type, target_id, details)
     SELECT actor, action, target_type, target_id, details::jsonb
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS e(actor, action, target_type, target_id, details)`,
    [
      entries.map((e) => actorLabel(e.actor)),
      entries.map((e) => e.action),
      entries.map((e) => e.target.type),
      entries.map((e) => e.target.id ?? null),
      entries.map((e) => JSON.stringify(e.details ?? {})),
    ],
  );
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
}

export async function listAudit(
  db: Queryable,
  filter: { targetType?: string | undefined; targetId?: string | undefined; limit: number },
): Promise<AuditEntry[]> {
  const { rows } = await db.query<{
    id: string;
    at: Date;
    actor: string;
    action: string;
    target_type: string;
    target_id: string | null;
    details: Record<string, unknown>;
  }>(
    `SELECT id, at, actor, action, target_type, target_id, details FROM audit_log
     WHERE ($1::text IS NULL OR target_type = $1) AND ($2::text IS NULL OR target_id = $2)
     ORDER BY id DESC LIMIT $3`,
    [filter.targetType ?? null, filter.targetId ?? null, filter.limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    details: r.details,
  }));
}
