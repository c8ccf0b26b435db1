import type { FieldIssue } from '../common/errors.ts';
import { CliError } from './output.ts';

interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  issues?: FieldIssue[];
}

/** A running node's HTTP API, called with a user's bearer token. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /**
   * Calls the API and returns its JSON. A problem+json answer becomes a CliError carrying the
   * node's detail and each bad field. @throws CliError
   */
  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const url = new URL(path, this.baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
      throw new CliError(
        `cannot reach the node at ${this.baseUrl} (${cause}); is it running? (--url, COUNTERSIGN_URL)`,
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new CliError(`${method} ${url.pathname} answered ${response.status} with something that is not JSON`);
    }
    if (response.ok) return json as T;
    const problem = (json ?? {}) as Problem;
    const issues = Array.isArray(problem.issues) ? problem.issues : [];
    const detail = problem.detail ?? `${method} ${url.pathname} failed with status ${response.status}`;
    // A validation detail is the issues joined; the issues are listed one per line instead.
    const message = issues.length ? `the node refused it: ${problem.title ?? 'invalid input'}` : detail;
    throw new CliError(message, issues, problem.code ?? `http_${response.status}`, json ?? undefined);
  }
}

/** The status code a failed call carried, when it was a node's answer rather than a network failure. */
export const problemCode = (error: unknown): string | undefined =>
  error instanceof CliError && error.problem !== undefined ? error.code : undefined;
