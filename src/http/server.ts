import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { DomainError } from '../common/errors.ts';
import { newId } from '../common/ids.ts';
import { parseWith } from '../common/validation.ts';
import type { Actor } from '../platform/actor.ts';
import type { NodeContext } from '../platform/context.ts';
import { actorForApiToken, actorForSession } from '../modules/auth/auth.service.ts';
import { buildOpenApi } from './openapi.ts';
import { problemType, STATUS_BY_CODE, type Problem } from './problem.ts';
import type { AnyRoute } from './route.ts';

export const SESSION_COOKIE = 'cs_session';
/** Cookie-authenticated writes must carry this header: a cross-site form cannot set it. */
export const CSRF_HEADER = 'x-countersign-csrf';

const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sendProblem(reply: FastifyReply, status: number, code: string, title: string, detail: string, extra = {}) {
  const body: Problem = { type: problemType(code), title, status, detail, code, instance: reply.request.url, ...extra };
  return reply.code(status).type('application/problem+json').send(body);
}

async function authenticate(ctx: NodeContext, request: FastifyRequest): Promise<Actor | undefined> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return actorForApiToken(ctx.db, header.slice('Bearer '.length).trim());
  const session = request.cookies[SESSION_COOKIE];
  if (!session) return undefined;
  if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] === undefined) {
    throw new DomainError('forbidden', `cookie-authenticated writes need the ${CSRF_HEADER} header`);
  }
  return actorForSession(ctx.db, session);
}

function authorize(route: AnyRoute, actor: Actor | undefined): Actor {
  if (route.auth === 'public' || route.auth === 'peer') return actor ?? { kind: 'system' };
  if (!actor) throw new DomainError('unauthenticated', 'sign in or send an API token (Authorization: Bearer ...)');
  const roles = route.auth.roles;
  if (roles !== 'any' && !(actor.kind === 'user' && actor.roles.some((r) => roles.includes(r)))) {
    throw new DomainError('forbidden', `this needs one of the roles: ${roles.join(', ')}`);
  }
  return actor;
}

/** Builds the node's HTTP server: routes, auth, problem+json errors, OpenAPI, and the web UI. */
export async function buildServer(ctx: NodeContext, routes: AnyRoute[]): Promise<FastifyInstance> {
  const app = Fastify({
    // Per-request access lines only at debug: a busy channel would drown everything else.
    loggerInstance: ctx.log.child(
      { component: 'http' },
      { level: ['debug', 'trace', 'silent'].includes(ctx.config.logLevel) ? ctx.config.logLevel : 'warn' },
    ) as FastifyBaseLogger,
    bodyLimit: ctx.config.http.bodyLimit,
    genReqId: () => newId(),
  });
  await app.register(fastifyCookie);

  app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
    if (error instanceof DomainError) {
      const status = STATUS_BY_CODE[error.code];
      if (status === 429 && typeof error.details.retryAfter === 'number') {
        void reply.header('retry-after', String(error.details.retryAfter));
      }
      return sendProblem(reply, status, error.code, error.code.replaceAll('_', ' '), error.message, error.details);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, wrong content type.
      const code = status === 413 ? 'payload_too_large' : 'bad_request';
      return sendProblem(reply, status, code, code.replaceAll('_', ' '), error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      reply,
      500,
      'internal',
      'internal error',
      `something went wrong; quote ${request.id} to the operator`,
      {
        correlationId: request.id,
      },
    );
  });

  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        const actor = authorize(route, await authenticate(ctx, request));
        const input = {
          body: route.body ? parseWith(route.body, request.body, 'body') : request.body,
          query: route.query ? parseWith(route.query, request.query, 'query') : request.query,
          params: route.params ? parseWith(route.params, request.params, 'params') : request.params,
          actor,
          ctx,
          request,
          reply,
        };
        const result = await route.handler(input);
        if (result === reply) return reply;
        return reply.code(route.status ?? 200).send(result ?? null);
      },
    });
  }

  const openApi = buildOpenApi(ctx, routes);
  app.get('/openapi.json', async () => openApi);

  const serveWeb = ctx.config.serveWeb && existsSync(WEB_DIST);
  // wildcard: files are looked up per request, so a rebuilt UI is served without a restart.
  if (serveWeb) await app.register(fastifyStatic, { root: WEB_DIST, wildcard: true });
  app.setNotFoundHandler((request, reply) => {
    const isApi = request.url.startsWith('/api/') || request.url.startsWith('/federation/');
    if (serveWeb && request.method === 'GET' && !isApi) return reply.sendFile('index.html');
    return sendProblem(reply, 404, 'not_found', 'not found', `no route ${request.method} ${request.url.split('?')[0]}`);
  });
  return app;
}
