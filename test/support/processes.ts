import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeConfigInput } from '../../src/config/config.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO_ROOT, 'bin', 'countersign.js');

/** Every node process started by this module, so a failing test can still kill them all. */
const running = new Set<NodeProcess>();
// Last resort: if the test runner itself exits, take the nodes with it rather than orphan them.
process.once('exit', () => {
  for (const node of running) node.killNow();
});

/** The lowest port the OS hands out for outgoing connections (Linux; the IANA default elsewhere). */
async function ephemeralPortFloor(): Promise<number> {
  try {
    return Number((await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/)[0]);
  } catch {
    return 49152;
  }
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
  } catch {
    return false;
  }
  server.close();
  await once(server, 'close');
  return true;
}

/**
 * A port nothing listens on, below the ephemeral range: while a node is down, its peer keeps
 * connecting to its port, and a connection whose own ephemeral port happened to equal it would
 * connect to itself and hold the port, so the restarted node could not bind it.
 */
export async function freePort(): Promise<number> {
  const ceiling = Math.min(await ephemeralPortFloor(), 49152);
  for (let tries = 0; tries < 100; tries++) {
    const port = 20_000 + Math.floor(Math.random() * (ceiling - 20_000));
    if (await canListen(port)) return port;
  }
  throw new Error('no free port found below the ephemeral range');
}

export async function writeConfigFile(path: string, config: NodeConfigInput): Promise<string> {
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

/**
 * One node running as its own OS process through the real CLI (`countersign node --config FILE`),
 * started, killed and restarted on the same config, as an operator or a crash would.
 */
export class NodeProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** The tail of the process's output, for the failure message when it dies unexpectedly. */
  private output = '';
  /** Whole-life counters, across restarts. */
  readonly stats = { starts: 0, warnLines: 0 };

  constructor(
    readonly name: string,
    readonly configPath: string,
    readonly url: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and waits until GET /healthz answers. @throws if it exits or times out first */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const child = spawn(process.execPath, [CLI, 'node', '--config', this.configPath], {
      cwd: REPO_ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.stats.starts += 1;
    running.add(this);
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      this.stats.warnLines += text.split('\n').filter((line) => line.includes('"level":40')).length;
      this.output = (this.output + text).slice(-8_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => {
      if (this.child === child) running.delete(this);
    });

    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${this.name} exited during start (code ${child.exitCode}, signal ${child.signalCode}):\n${this.output}`,
        );
      }
      if (await this.healthy()) return;
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`${this.name} did not answer /healthz within ${timeoutMs} ms:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async healthy(): Promise<boolean> {
    try {
      const response = await fetch(new URL('/healthz', this.url), { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }

  /** Kills the process with `signal` (SIGKILL: no chance to flush or close) and waits for it to go. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.child?.kill(signal);
    await this.exited;
  }

  /** Graceful stop (SIGTERM: the node closes its database); SIGKILL if it hangs. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.running) return;
    const child = this.child;
    child?.kill('SIGTERM');
    const timer = setTimeout(() => child?.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
    if (child?.exitCode !== 0) {
      throw new Error(
        `${this.name} did not stop cleanly (code ${child?.exitCode}, signal ${child?.signalCode}):\n${this.output}`,
      );
    }
  }

  /** Synchronous SIGKILL without waiting, for process exit handlers. */
  killNow(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }

  /** The recent output, for diagnostics. */
  recentOutput(): string {
    return this.output;
  }
}

/** Kills every node process still running: for afterAll, so a failed test leaves no orphans. */
export async function killAllNodeProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill('SIGKILL')));
}

/**
 * A relay on the federation link from one node to another, which can lose one reply on purpose:
 * the receiver has committed the batch and answered, the relay runs `action` (kill the receiver)
 * and cuts the sender's connection, so the sender never hears of what the receiver stored. Random
 * kills almost never land in that instant between commit and reply; this one always does.
 */
export class FederationRelay {
  private server: Server | undefined;
  private pending: { action: () => Promise<void>; done: (envelopeIds: string[]) => void } | undefined;
  url = '';

  constructor(private readonly target: string) {}

  async start(port: number): Promise<string> {
    const server = createHttpServer((request, reply) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => void this.forward(request.method ?? 'POST', request.url ?? '/', chunks, reply));
    });
    this.server = server;
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  private async forward(method: string, path: string, chunks: Buffer[], reply: ServerResponse): Promise<void> {
    const body = Buffer.concat(chunks);
    let response: Response;
    let text: string;
    try {
      response = await fetch(new URL(path, this.target), {
        method,
        headers: { 'content-type': 'application/json' },
        ...(method === 'GET' ? {} : { body }),
        signal: AbortSignal.timeout(30_000),
      });
      text = await response.text();
    } catch {
      // The receiver is down: the sender sees its connection drop, as it would without the relay.
      reply.socket?.destroy();
      return;
    }
    const pending = this.pending;
    if (pending && response.ok && path.startsWith('/federation/')) {
      this.pending = undefined;
      await pending.action();
      reply.socket?.destroy();
      const envelopes = (JSON.parse(body.toString()) as { envelopes: string[] }).envelopes;
      pending.done(envelopes.map((jws) => jwsPayload(jws).id as string));
      return;
    }
    reply.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' });
    reply.end(text);
  }

  /**
   * Loses the next successful federation reply: runs `action` once the receiver has answered,
   * then drops the reply. Resolves with the ids of the envelopes whose receipts were lost.
   */
  loseNextReply(action: () => Promise<void>): Promise<string[]> {
    return new Promise((done) => {
      this.pending = { action, done };
    });
  }

  /** Stops waiting to lose a reply; a pending loseNextReply resolves with no envelopes. */
  cancel(): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.done([]);
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close').catch(() => undefined);
  }
}

/** The payload of a compact JWS, unverified: for tests reading what a node stored or sent. */
export const jwsPayload = (jws: string): any =>
  JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString());
