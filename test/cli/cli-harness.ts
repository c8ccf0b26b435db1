import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO_ROOT, 'bin', 'countersign.js');

/** The environment without anything that would steer the CLI behind a test's back. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('COUNTERSIGN_') || name === 'DATABASE_URL') delete env[name];
  }
  return { ...env, ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `countersign ARGS` as its own process, as an operator would, and collects its output. */
export async function countersign(
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: cleanEnv(options.env ?? {}),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** A long-running `countersign` process (such as `start`), watched until it prints what a test waits for. */
export class RunningCli {
  stdout = '';
  stderr = '';
  private readonly exited: Promise<number | null>;

  constructor(
    args: string[],
    readonly child: ChildProcess = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: cleanEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = once(child, 'close').then(([code]) => code as number | null);
  }

  /** Resolves once stdout contains `text`. @throws if the process exits or `timeoutMs` passes first */
  async waitFor(text: string, timeoutMs = 110_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.includes(text)) {
      if (this.child.exitCode !== null) {
        throw new Error(`countersign exited (${this.child.exitCode}) before printing "${text}":\n${this.stderr}`);
      }
      if (Date.now() > deadline)
        throw new Error(`countersign did not print "${text}":\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends `signal` and returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'countersign-cli-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A printed stack trace: what a CLI error must never show. */
export const STACK_LINE = /^\s+at .+[(:]\d+/m;
