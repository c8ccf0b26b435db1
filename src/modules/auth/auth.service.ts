import { DomainError } from '../../common/errors.ts';
import { newId, newSecret, sha256Hex } from '../../common/ids.ts';
import { parseWith } from '../../common/validation.ts';
import type { Actor, Role } from '../../platform/actor.ts';
import { audit } from '../../platform/audit.ts';
import type { NodeContext } from '../../platform/context.ts';
import type { Queryable } from '../../store/db.ts';
import {
  deleteSession,
  insertApiToken,
  insertSession,
  insertUser,
  selectUserByApiToken,
  selectUserBySession,
  selectUserByUsername,
  selectUsers,
  toUser,
  type UserRow,
} from './auth.repository.ts';
import { NewUserSchema, type User } from './auth.schema.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password.ts';

export const API_TOKEN_PREFIX = 'cst_';

const userActor = (row: UserRow): Actor => ({
  kind: 'user',
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  roles: row.roles as Role[],
});

/** Creates a user with a hashed password. @throws DomainError validation_failed, conflict */
export async function createUser(db: Queryable, actor: Actor, input: unknown): Promise<User> {
  const user = parseWith(NewUserSchema, input);
  const passwordHash = await hashPassword(user.password);
  const row = await insertUser(db, { id: newId(), ...user, passwordHash });
  if (!row) throw new DomainError('conflict', `username "${user.username}" is taken`, { field: 'username' });
  await audit(db, actor, 'user.create', { type: 'user', id: row.id }, { username: user.username, roles: user.roles });
  return toUser(row);
}

export async function listUsers(db: Queryable): Promise<User[]> {
  return (await selectUsers(db)).map(toUser);
}

/**
 * Counts failed logins per username and address in memory. A single node process serves its
 * users, so memory is the right place; a restart forgives, which an attacker cannot force.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
  ) {}

  private recent(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.failures.set(key, times);
    return times;
  }

  /** @throws DomainError rate_limited */
  check(key: string, now = Date.now()): void {
    const times = this.recent(key, now);
    if (times.length >= this.maxFailures) {
      const retryAfter = Math.ceil((this.windowMs - (now - (times[0] ?? now))) / 1000);
      throw new DomainError('rate_limited', `too many failed logins; try again in ${retryAfter} s`, { retryAfter });
    }
  }

  fail(key: string, now = Date.now()): void {
    this.recent(key, now).push(now);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}

/** Checks a password and opens a session. @throws DomainError unauthenticated, rate_limited */
export async function login(
  ctx: NodeContext,
  throttle: LoginThrottle,
  credentials: { username: string; password: string },
  address: string,
): Promise<{ sessionToken: string; user: User; expiresAt: Date }> {
  const key = `${credentials.username}\u0000${address}`;
  throttle.check(key);
  const row = await selectUserByUsername(ctx.db, credentials.username);
  const ok = await verifyPassword(credentials.password, row?.password_hash ?? (await dummyPasswordHash()));
  if (!row || !ok || row.disabled) {
    throttle.fail(key);
    await audit(
      ctx.db,
      { kind: 'system' },
      'auth.login_failed',
      { type: 'user' },
      { username: credentials.username, address },
    );
    throw new DomainError('unauthenticated', 'wrong username or password');
  }
  throttle.succeed(key);
  const sessionToken = newSecret();
  const expiresAt = new Date(Date.now() + ctx.config.session.ttlHours * 3600_000);
  await ctx.db.transaction(async (tx) => {
    await insertSession(tx, sha256Hex(sessionToken), row.id, expiresAt);
    await audit(tx, userActor(row), 'auth.login', { type: 'user', id: row.id }, { address });
  });
  return { sessionToken, user: toUser(row), expiresAt };
}

export async function logout(db: Queryable, sessionToken: string): Promise<void> {
  await deleteSession(db, sha256Hex(sessionToken));
}

export async function actorForSession(db: Queryable, sessionToken: string): Promise<Actor | undefined> {
  const row = await selectUserBySession(db, sha256Hex(sessionToken));
  return row ? userActor(row) : undefined;
}

export async function actorForApiToken(db: Queryable, token: string): Promise<Actor | undefined> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
  const row = await selectUserByApiToken(db, sha256Hex(token));
  return row ? userActor(row) : undefined;
}

/** Issues an API token for scripts; only its hash is stored, so it is shown once. */
export async function createApiToken(db: Queryable, actor: Actor, userId: string, name: string): Promise<string> {
  const token = API_TOKEN_PREFIX + newSecret();
  const id = newId();
  await insertApiToken(db, { id, userId, name, tokenHash: sha256Hex(token) });
  await audit(db, actor, 'token.create', { type: 'api_token', id }, { userId, name });
  return token;
}

/** CLI path: create a token for a named user. @throws DomainError not_found */
export async function createApiTokenForUsername(db: Queryable, username: string, name: string): Promise<string> {
  const row = await selectUserByUsername(db, username);
  if (!row) throw new DomainError('not_found', `user "${username}" not found`);
  return createApiToken(db, { kind: 'system' }, row.id, name);
}
