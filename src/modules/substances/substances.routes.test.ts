import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../http/server.ts';
import type { CountersignNode } from '../../node.ts';
import { addUser, startTestNode, type TestUser } from '../../../test/support/nodes.ts';
import { SubstanceClassifier } from './classifier.service.ts';
import { substanceRoutes } from './substances.routes.ts';

// The routes are not wired into createNode yet: they run here on a server of their own over a real node's context.
describe('GET /api/v1/substances/*', () => {
  let node: CountersignNode;
  let server: FastifyInstance;
  let analyst: TestUser;
  const get = (url: string, user?: TestUser) =>
    server.inject({ method: 'GET', url, headers: user ? { authorization: `Bearer ${user.token}` } : {} });

  beforeAll(async () => {
    node = await startTestNode('US');
    analyst = await addUser(node, 'ana', ['analyst']);
    server = await buildServer(node.ctx, substanceRoutes(await SubstanceClassifier.create()));
  });
  afterAll(async () => {
    await server?.close();
    await node?.close();
  });

  it('classifies a substance looked up by its Chinese name', async () => {
    const response = await get(`/api/v1/substances/classify?q=${encodeURIComponent('芬太尼')}`, analyst);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.inchikey).toBe('PJMPHNIQZUBGLI-UHFFFAOYSA-N');
    expect(body.verdicts.find((v: { jurisdiction: string }) => v.jurisdiction === 'CN').status).toBe('controlled');
  });

  it('answers bad input with problem+json naming the field', async () => {
    const response = await get('/api/v1/substances/classify?q=C1CC(', analyst);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed', issues: [{ path: 'q' }] });
  });

  it('asks for a signed-in user', async () => {
    expect((await get('/api/v1/substances/classify?q=CCO')).statusCode).toBe(401);
  });

  it('draws the structure as SVG', async () => {
    const response = await get('/api/v1/substances/depict?q=carfentanil', analyst);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('image/svg+xml');
    expect(response.body).toContain('</svg>');
  });
});
