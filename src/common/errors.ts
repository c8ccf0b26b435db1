/**
 * Every failure a user can cause or meet has a code; `http/problem.ts` maps codes to statuses.
 * Services throw these and never know about HTTP, so the CLI and jobs share them.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'invalid_state'
  | 'not_releasable'
  | 'four_eyes_required'
  | 'channel_suspended'
  | 'envelope_invalid'
  | 'envelope_signature_invalid'
  | 'envelope_unknown_key'
  | 'envelope_replayed'
  | 'envelope_out_of_order'
  | 'payload_too_large';

export interface FieldIssue {
  /** Dotted path to the offending field, e.g. `content.entities.2.properties.phone`. */
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { issues?: FieldIssue[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, id: string) => new DomainError('not_found', `${what} ${id} not found`);

export const validationError = (issues: FieldIssue[]) =>
  new DomainError('validation_failed', issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), {
    issues,
  });
