import { z } from 'zod';
import { CSRF_HEADER, SESSION_COOKIE } from '../../http/server.ts';
import { defineRoute, type AnyRoute } from '../../http/route.ts';
import type { NodeContext } from '../../platform/context.ts';
import { getIdentity } from '../parties/parties.service.ts';
import { LoginSchema, NewTokenSchema } from './auth.schema.ts';
import { createApiToken, createUser, listUsers, login, LoginThrottle, logout } from './auth.service.ts';

export function authRoutes(ctx: NodeContext): AnyRoute[] {
  const throttle = new LoginThrottle(ctx.config.login.maxFailures, ctx.config.login.windowMinutes * 60_000);
  const tag = 'auth';
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/login',
      tag,
      summary: 'Sign in; sets the session cookie',
      auth: 'public',
      body: LoginSchema,
      handler: async ({ body, request, reply, ctx }) => {
        const session = await login(ctx, throttle, body, request.ip);
        void reply.setCookie(SESSION_COOKIE, session.sessionToken, {
          httpOnly: true,
          sameSite: 'strict',
          secure: ctx.config.session.secureCookies,
          path: '/',
          expires: session.expiresAt,
        });
        return { user: session.user, expiresAt: session.expiresAt.toISOString(), csrfHeader: CSRF_HEADER };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/auth/logout',
      tag,
      summary: 'Sign out',
      auth: { roles: 'any' },
      handler: async ({ request, reply, ctx }) => {
        const token = request.cookies[SESSION_COOKIE];
        if (token) await logout(ctx.db, token);
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return {};
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/me',
      tag,
      summary: 'The signed-in user and this node’s party',
      auth: { roles: 'any' },
      handler: async ({ actor, ctx }) => {
        const identity = await getIdentity(ctx.db);
        const user =
          actor.kind === 'user'
            ? { id: actor.id, username: actor.username, displayName: actor.displayName, roles: actor.roles }
            : null;
        return { user, party: { code: identity.party, names: identity.names } };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/users',
      tag,
      summary: 'List users',
      auth: { roles: ['admin'] },
      handler: ({ ctx }) => listUsers(ctx.db),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/users',
      tag,
      summary: 'Create a user',
      auth: { roles: ['admin'] },
      status: 201,
      handler: ({ ctx, actor, request }) => ctx.db.transaction((tx) => createUser(tx, actor, request.body)),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/tokens',
      tag,
      summary: 'Issue an API token for the signed-in user (shown once)',
      auth: { roles: 'any' },
      body: NewTokenSchema,
      status: 201,
      handler: async ({ ctx, actor, body }) => {
        if (actor.kind !== 'user') return { token: null };
        return { token: await createApiToken(ctx.db, actor, actor.id, body.name) };
      },
    }),
  ];
}

export const healthRoute = defineRoute({
  method: 'GET',
  url: '/healthz',
  tag: 'platform',
  summary: 'Liveness and database check',
  auth: 'public',
  query: z.object({}).passthrough(),
  handler: async ({ ctx }) => {
    await ctx.db.query('SELECT 1');
    return { status: 'ok', party: ctx.config.party.code, database: ctx.db.kind };
  },
});
