import type { Queryable } from '../../store/db.ts';
import type { User } from './auth.schema.ts';

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  roles: string[];
  disabled: boolean;
  created_at: Date;
}

export const toUser = (row: UserRow): User => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  roles: row.roles,
  disabled: row.disabled,
  createdAt: new Date(row.created_at).toISOString(),
});

export async function insertUser(
  db: Queryable,
  user: { id: string; username: string; displayName: string; passwordHash: string; roles: string[] },
): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (id, username, display_name, password_hash, roles) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (username) DO NOTHING RETURNING *`,
    [user.id, user.username, user.displayName, user.passwordHash, user.roles],
  );
  return rows[0] as UserRow;
}

export async function selectUserByUsername(db: Queryable, username: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE username = $1', [username]);
  return rows[0];
}

export async function selectUsers(db: Queryable): Promise<UserRow[]> {
  return (await db.query<UserRow>('SELECT * FROM users ORDER BY username')).rows;
}

export async function insertSession(db: Queryable, tokenHash: string, userId: string, expiresAt: Date): Promise<void> {
  await db.query('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
    tokenHash,
    userId,
    expiresAt,
  ]);
}

export async function deleteSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
}

export async function selectUserBySession(db: Queryable, tokenHash: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`,
    [tokenHash],
  );
  return rows[0];
}

export async function insertApiToken(
  db: Queryable,
  token: { id: string; userId: string; name: string; tokenHash: string },
): Promise<void> {
  await db.query('INSERT INTO api_tokens (id, user_id, name, token_hash) VALUES ($1, $2, $3, $4)', [
    token.id,
    token.userId,
    token.name,
    token.tokenHash,
  ]);
}

export async function selectUserByApiToken(db: Queryable, tokenHash: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled`,
    [tokenHash],
  );
  return rows[0];
}
