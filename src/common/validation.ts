import { z } from 'zod';
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

// Zod's ISO formats accept the year 0000, which PostgreSQL has no room for (there is no year zero).
const storableYear = (value: string) => !value.startsWith('0000');

/** An ISO 8601 date (YYYY-MM-DD) that the database can store. */
export const storableDate = (message = 'must be a date YYYY-MM-DD') =>
  z.iso.date(message).refine(storableYear, message);

/** An ISO 8601 UTC timestamp that the database can store. */
export const storableDateTime = (message = 'must be an ISO 8601 UTC timestamp') =>
  z.iso.datetime(message).refine(storableYear, message);
