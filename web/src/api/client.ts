import type { FieldIssue, Problem } from './types';

export const API_BASE = '/api/v1';
/** The node refuses cookie-authenticated writes without this header (a cross-site form cannot set it). */
export const CSRF_HEADER = 'x-countersign-csrf';

/** A failed API call, carrying the server's problem+json (or one made up for network failures). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
  get issues(): FieldIssue[] {
    return Array.isArray(this.problem.issues) ? this.problem.issues : [];
  }
}

export const toApiError = (error: unknown): ApiError =>
  error instanceof ApiError
    ? error
    : new ApiError({
        type: 'about:blank',
        title: 'client error',
        status: 0,
        code: 'client_error',
        detail: error instanceof Error ? error.message : String(error),
      });

let unauthenticatedHandler: (() => void) | undefined;

/** Called when a signed-in call answers 401: the session expired or was revoked. */
export function onUnauthenticated(handler: (() => void) | undefined): void {
  unauthenticatedHandler = handler;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'status' in value && ('detail' in value || 'title' in value);
}

interface RequestOptions {
  /** Do not treat a 401 as an expired session (login, and the first /me). */
  quiet401?: boolean;
  /** Return the body as text (e.g. an SVG picture) instead of parsing JSON. */
  text?: boolean;
}

export async function request<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = {
    accept: options.text ? '*/*' : 'application/json, application/problem+json',
  };
  let payload: string | null = null;
  if (method !== 'GET') {
    headers[CSRF_HEADER] = '1';
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body ?? {});
  }
  let response: Response;
  try {
    response = await fetch(API_BASE + path, { method, credentials: 'same-origin', headers, body: payload });
  } catch (error) {
    throw new ApiError({
      type: 'about:blank',
      title: 'network error',
      status: 0,
      code: 'network',
      detail: error instanceof Error ? error.message : String(error),
    });
  }
  const text = await response.text();
  if (response.ok && options.text) return text as T;
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    const problem: Problem = isProblem(data)
      ? {
          ...data,
          code: typeof data.code === 'string' ? data.code : 'http_' + response.status,
          detail: data.detail ?? data.title,
        }
      : {
          type: 'about:blank',
          title: response.statusText || 'error',
          status: response.status,
          code: 'http_' + response.status,
          detail: `HTTP ${response.status} ${response.statusText}`.trim(),
        };
    if (response.status === 401 && !options.quiet401) unauthenticatedHandler?.();
    throw new ApiError(problem);
  }
  return data as T;
}
