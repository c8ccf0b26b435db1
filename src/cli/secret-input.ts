import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { CliError } from './output.ts';

/** Reads all of standard input; one trailing newline (from `echo` or a file) is not part of the secret. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed. */
export async function promptHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = rl.question(question);
    muted = true;
    return await answer;
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/**
 * A new password, never from a flag (it would stay in shell history and in `ps`): from standard
 * input with --password-stdin, else from COUNTERSIGN_PASSWORD, else typed twice at a terminal.
 * @throws CliError when there is no way to ask, or the two entries differ
 */
export async function readNewPassword(options: { passwordStdin?: boolean }): Promise<string> {
  if (options.passwordStdin) return readStdin();
  const fromEnv = process.env.COUNTERSIGN_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) {
    throw new CliError('no password given: pipe it with --password-stdin, or set COUNTERSIGN_PASSWORD');
  }
  const first = await promptHidden('Password (at least 12 characters): ');
  const second = await promptHidden('Same password again: ');
  if (first !== second) throw new CliError('the two passwords differ; nothing was created');
  return first;
}
