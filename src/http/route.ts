import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor, Role } from '../platform/actor.ts';
import type { NodeContext } from '../platform/context.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route: `public` (health, login, API description), `peer` (authenticated by the
 * envelope signature inside the body, not by a user), or a list of user roles (`'any'` for every
 * signed-in user).
 */
export type RouteAuth = 'public' | 'peer' | { roles: readonly Role[] | 'any' };

export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  actor: Actor;
  ctx: NodeContext;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteDef<B = unknown, Q = unknown, P = unknown> {
  method: Method;
  url: string;
  summary: string;
  tag: string;
  auth: RouteAuth;
  body?: z.ZodType<B> | undefined;
  query?: z.ZodType<Q> | undefined;
  params?: z.ZodType<P> | undefined;
  /** Success status; 200 unless said. */
  status?: number | undefined;
  /** Returns the JSON body; a route that writes its own reply returns `reply`. */
  handler(input: RouteInput<B, Q, P>): Promise<unknown>;
}

export type AnyRoute = RouteDef<unknown, unknown, unknown>;

/**
 * Declares a route with its schemas so validation, auth and the OpenAPI document share one source.
 * The server parses body, query and params with the schemas before the handler runs, which is
 * what makes the narrowing below sound.
 */
export function defineRoute<B = undefined, Q = undefined, P = undefined>(def: RouteDef<B, Q, P>): AnyRoute {
  return { ...def, handler: (input) => def.handler(input as RouteInput<B, Q, P>) };
}
