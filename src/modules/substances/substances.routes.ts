import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../../http/route.ts';
import type { SubstanceClassifier } from './classifier.service.ts';

const Query = z.object({
  q: z.string().min(1, 'give a structure (SMILES, InChI), a CAS number or a name').max(10_000),
  asOf: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
    .optional(),
});

/** Substance control status and structure pictures, for every signed-in user. */
export function substanceRoutes(classifier: SubstanceClassifier): AnyRoute[] {
  const tag = 'substances';
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/substances/classify',
      tag,
      summary: 'Control status of a substance per jurisdiction (UN, US, CN), with the legal basis',
      auth: { roles: 'any' },
      query: Query,
      handler: ({ query }) => classifier.classify({ q: query.q }, query.asOf ? { asOf: query.asOf } : {}),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/substances/depict',
      tag,
      summary: 'SVG picture of a structure, the matched class scaffold highlighted',
      auth: { roles: 'any' },
      query: Query,
      handler: async ({ query, reply }) => {
        const svg = await classifier.depict({ q: query.q });
        return reply.type('image/svg+xml').send(svg);
      },
    }),
  ];
}
