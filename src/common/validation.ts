import type { z } from 'zod';
import { validationError, type FieldIssue } from './errors.ts';

export function zodIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.'),
    message: issue.message,
  }));
}

/** Parses `input` with `schema`, or throws a validation error naming each bad field. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(zodIssues(result.error, prefix));
  return result.data;
}
