import type { Command } from 'commander';
import { DomainError, type FieldIssue } from '../common/errors.ts';

/**
 * A failure the CLI itself detects or relays (an unreadable file, a node that refused a call):
 * printed like a domain error, as a message and one line per bad field, never as a stack.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly code = 'cli_error',
    /** The problem+json body a node answered with, printed as is under --json. */
    readonly problem?: unknown,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const jsonWanted = (program: Command): boolean => Boolean(program.opts<{ json?: boolean }>().json);

/** Prints `value` as JSON when --json was given, else as the text `describe` makes of it. */
export function print(program: Command, value: unknown, describe: () => string): void {
  process.stdout.write(jsonWanted(program) ? `${JSON.stringify(value, null, 2)}\n` : `${describe()}\n`);
}

/** Text for humans on stderr, kept off stdout so that `$(countersign ...)` captures only the result. */
export function note(program: Command, text: string): void {
  if (!jsonWanted(program)) process.stderr.write(`${text}\n`);
}

/** Fixed-width columns; wide (CJK) characters count double so columns stay aligned in a terminal. */
export function table(header: string[], rows: string[][]): string {
  const width = (s: string) =>
    [...s].reduce(
      (n, ch) =>
        n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1),
      0,
    );
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function failureOf(error: unknown): { code: string; message: string; issues: FieldIssue[]; extra: object } {
  if (error instanceof DomainError) {
    const { issues = [], ...extra } = error.details;
    // A validation message is the issues joined; list them one per line instead.
    return { code: error.code, message: issues.length ? 'invalid input' : error.message, issues, extra };
  }
  if (error instanceof CliError) return { code: error.code, message: error.message, issues: error.issues, extra: {} };
  return { code: 'error', message: (error as Error).message, issues: [], extra: {} };
}

/** Runs the CLI; a failure prints its message (and each bad field) and exits 1, never a stack. */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const failure = failureOf(error);
    if (jsonWanted(program)) {
      const body =
        error instanceof CliError && error.problem
          ? error.problem
          : { error: failure.code, message: failure.message, issues: failure.issues, ...failure.extra };
      process.stderr.write(`${JSON.stringify(body)}\n`);
    } else {
      const lines = [
        `countersign: ${failure.message}`,
        ...failure.issues.map((i) => `  ${i.path || '(input)'}: ${i.message}`),
      ];
      process.stderr.write(`${lines.join('\n')}\n`);
    }
    process.exitCode = 1;
  }
}
