import type { ErrorCode } from '../common/errors.ts';

/** The one table from domain error code to HTTP status. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  invalid_state: 409,
  not_releasable: 422,
  four_eyes_required: 403,
  channel_suspended: 503,
  envelope_invalid: 400,
  envelope_signature_invalid: 401,
  envelope_unknown_key: 401,
  envelope_replayed: 409,
  envelope_out_of_order: 409,
  payload_too_large: 413,
};

/** RFC 9457 problem details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [extension: string]: unknown;
}

export const problemType = (code: string) => `https://countersign.example/problems/${code.replaceAll('_', '-')}`;
