import { z } from 'zod';
import type { NodeContext } from '../platform/context.ts';
import type { AnyRoute } from './route.ts';

const toSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });

/** The OpenAPI 3.1 description of every route, generated from the same schemas that validate requests. */
export function buildOpenApi(ctx: NodeContext, routes: AnyRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters = [
      ...[...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...(route.query ? queryParameters(route.query) : []),
    ];
    const security =
      route.auth === 'public' || route.auth === 'peer' ? [] : [{ bearerAuth: [] }, { sessionCookie: [] }];
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      summary: route.summary,
      tags: [route.tag],
      security,
      ...(route.auth !== 'public' && route.auth !== 'peer'
        ? { 'x-roles': route.auth.roles === 'any' ? ['any signed-in user'] : route.auth.roles }
        : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body) } } } }
        : {}),
      responses: {
        [String(route.status ?? 200)]: { description: 'success' },
        default: {
          description: 'RFC 9457 problem details',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: `Countersign node ${ctx.config.party.code}`,
      version: '1',
      description: 'Sovereign node of the Countersign federation: packages, exchange, parties and peers.',
    },
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'API token (cst_...) from `countersign token create`',
        },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'cs_session' },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail', 'code'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string' },
            instance: { type: 'string' },
          },
        },
      },
    },
  };
}

function queryParameters(schema: z.ZodType): Record<string, unknown>[] {
  const json = toSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: s,
  }));
}
