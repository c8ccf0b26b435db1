import { InvalidArgumentError, Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { DEMO_SEED_STEPS, startDemoFederation, type DemoFederation } from '../../demo/demo-federation.ts';
import { DEMO_USERS } from '../../demo/scenario.ts';
import { jsonWanted, note, print, table } from '../output.ts';

interface StartOptions {
  dataDir: string;
  fresh?: boolean;
  usPort: number;
  cnPort: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number, 0-65535');
  return n;
};

/** Shows seeding progress: a bar at a terminal, a line per step in a log. */
function progressReporter(program: Command): { step: (label: string) => void; done: () => void } {
  if (jsonWanted(program)) return { step: () => undefined, done: () => undefined };
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: 'Seeding the scenario [{bar}] {value}/{total}  {step}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    });
    let started = false;
    return {
      step: (label) => {
        if (!started) bar.start(DEMO_SEED_STEPS, 0, { step: label });
        else bar.increment(1, { step: label });
        started = true;
      },
      done: () => {
        if (!started) return;
        bar.update(DEMO_SEED_STEPS);
        bar.stop();
      },
    };
  }
  return { step: (label) => process.stderr.write(`Seeding: ${label}\n`), done: () => undefined };
}

function describe(federation: DemoFederation): string {
  const nodes = [
    { node: federation.us, dir: federation.dataDirs.us },
    { node: federation.cn, dir: federation.dataDirs.cn },
  ];
  const urlOf = (party: string) => (party === 'US' ? federation.us.url() : federation.cn.url());
  return [
    'Countersign demo federation: two sovereign nodes in one process, each with its own database and keys.',
    '',
    table(
      ['NODE', 'URL', 'DATA'],
      nodes.map(({ node, dir }) => [`${node.keyring.party} ${node.ctx.config.party.names.en}`, node.url(), dir]),
    ),
    '',
    federation.seededNow
      ? 'Seeded the synthetic scenario: packages were drafted, approved by a second user, signed and delivered.'
      : `Scenario seeded on ${federation.seededAt.toISOString()}; nothing added (start with --fresh to rebuild it).`,
    '',
    'Demo logins. These passwords are printed on purpose: this is a demo holding only invented data.',
    'Never use them, or this command, for a real node.',
    '',
    table(
      ['NODE', 'URL', 'USERNAME', 'PASSWORD', 'ROLES', 'NAME'],
      DEMO_USERS.map((u) => [u.party, urlOf(u.party), u.username, u.password, u.roles.join(','), u.displayName]),
    ),
    '',
    'Things to look at:',
    `  CN as cn-liaison:   the inbox holds the US intelligence package on the Wuhan supplier network.`,
    `  US as us-liaison:   Deadlines shows CN's request about the Arizona buyer, overdue.`,
    `  US as us-liaison2:  Approvals holds us-analyst's draft (four-eyes: its author cannot approve it) and a`,
    `                      draft with a TLP:RED item releasable to US only, which the release check refuses.`,
    '',
    'Ready. Press Ctrl-C to stop both nodes.',
  ].join('\n');
}

/** `countersign start`: the demo federation (US and CN nodes) in one process, seeded once. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the demo federation: a US and a CN node in one process, peered and seeded with synthetic data')
    .option('--data-dir <dir>', 'where the two nodes keep their data (<dir>/us and <dir>/cn)', './data')
    .option('--fresh', 'delete both nodes’ data first and seed the scenario again')
    .option('--us-port <port>', 'US node port', port, 4101)
    .option('--cn-port <port>', 'CN node port', port, 4102)
    .addOption(
      new Option('--log-level <level>', 'node log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('warn'),
    )
    .action(async (options: StartOptions) => {
      const progress = progressReporter(program);
      let federation: DemoFederation;
      try {
        federation = await startDemoFederation({
          dataDir: options.dataDir,
          fresh: options.fresh ?? false,
          usPort: options.usPort,
          cnPort: options.cnPort,
          logLevel: options.logLevel,
          progress: progress.step,
        });
      } finally {
        progress.done();
      }
      const running = federation;
      print(
        program,
        {
          ready: true,
          nodes: [
            { party: 'US', url: running.us.url(), dataDir: running.dataDirs.us },
            { party: 'CN', url: running.cn.url(), dataDir: running.dataDirs.cn },
          ],
          users: DEMO_USERS.map((u) => ({ ...u, url: u.party === 'US' ? running.us.url() : running.cn.url() })),
          seededNow: running.seededNow,
          seededAt: running.seededAt.toISOString(),
        },
        () => describe(running),
      );
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        note(program, 'Stopping both nodes…');
        await running.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
