import type { Command } from 'commander';
import { DomainError } from '../common/errors.ts';

/** Prints `value` as JSON when --json was given, else as the text `describe` makes of it. */
export function print(program: Command, value: unknown, describe: () => string): void {
  const json = Boolean(program.opts<{ json?: boolean }>().json);
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${describe()}\n`);
}

/** Runs the CLI; a domain error prints its message (and each bad field) and exits 1, never a stack. */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const json = Boolean(program.opts<{ json?: boolean }>().json);
    if (error instanceof DomainError) {
      if (json)
        process.stderr.write(`${JSON.stringify({ error: error.code, message: error.message, ...error.details })}\n`);
      else process.stderr.write(`countersign: ${error.message}\n`);
    } else {
      process.stderr.write(`countersign: ${(error as Error).message}\n`);
    }
    process.exitCode = 1;
  }
}
