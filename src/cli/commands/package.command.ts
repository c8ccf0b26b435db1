import { Option, type Command } from 'commander';
import type { Package, PackageSummary } from '../../modules/packages/packages.schema.ts';
import { ApiClient, problemCode } from '../api-client.ts';
import { readJsonFile } from '../json-file.ts';
import { CliError, note, print, table } from '../output.ts';

interface ApiOptions {
  url: string;
  token?: string;
}

const BOXES = ['inbox', 'outbox', 'drafts', 'approvals', 'all'] as const;
/** Answers to a send attempt that mean "a second user has to approve first", not a failure. */
const AWAITS_APPROVAL = ['invalid_state', 'four_eyes_required', 'forbidden'];

function withApiOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'the node’s address').env('COUNTERSIGN_URL').default('http://127.0.0.1:4101'))
    .addOption(
      new Option(
        '--token <token>',
        'your API token (prefer the environment variable: flags stay in shell history)',
      ).env('COUNTERSIGN_TOKEN'),
    );
}

function clientFor(options: ApiOptions, token = options.token, what = '--token or COUNTERSIGN_TOKEN'): ApiClient {
  if (!token) throw new CliError(`no API token: give ${what} (create one with \`countersign token create\`)`);
  if (!URL.canParse(options.url)) throw new CliError(`--url: "${options.url}" is not a URL`);
  return new ApiClient(options.url, token);
}

const headline = (p: Pick<Package, 'id' | 'kind' | 'title' | 'counterparty'>) =>
  `${p.kind} "${p.title}" to ${p.counterparty} (${p.id})`;

/** Adds the draft id to a failure after the draft exists, so the operator can pick it up from there. */
async function afterDraft<T>(id: string, step: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    throw new CliError(
      `draft ${id} was created but could not be ${step}: ${error.message}`,
      error.issues,
      error.code,
      error.problem,
    );
  }
}

/** `countersign package send|approve|list`: packages on a running node, through its HTTP API. */
export function registerPackageCommand(program: Command): void {
  const pkg = program.command('package').description('packages on a running node, through its HTTP API');

  withApiOptions(
    pkg
      .command('send')
      .description('create a package from a JSON file and send it; four-eyes: a second user must approve')
      .requiredOption('--file <file>', 'the package as JSON, the same shape as the body of POST /api/v1/packages')
      .addOption(
        new Option('--approve-token <token>', 'a second user’s API token: approves, then sends').env(
          'COUNTERSIGN_APPROVER_TOKEN',
        ),
      ),
  )
    .addHelpText(
      'after',
      `
Without a second user's token the package stays a draft awaiting approval, which is not an
error: another liaison approves it later (countersign package approve ID --send, or the web UI).`,
    )
    .action(async (options: ApiOptions & { file: string; approveToken?: string }) => {
      const body = await readJsonFile(options.file);
      const author = clientFor(options);
      const draft = await author.call<Package>('POST', '/api/v1/packages', body);
      note(program, `Created draft ${headline(draft)}.`);
      if (options.approveToken) {
        const approver = clientFor(options, options.approveToken, '--approve-token');
        const approved = await afterDraft(draft.id, 'approved', () =>
          approver.call<Package>('POST', `/api/v1/packages/${draft.id}/approve`),
        );
        note(program, `Approved by ${approved.approvedBy?.username ?? 'the second user'}.`);
        const sent = await afterDraft(draft.id, 'sent', () =>
          approver.call<Package>('POST', `/api/v1/packages/${draft.id}/send`),
        );
        print(program, sent, () => `Sent ${headline(sent)}: status ${sent.status}.`);
        return;
      }
      try {
        const sent = await author.call<Package>('POST', `/api/v1/packages/${draft.id}/send`);
        print(program, sent, () => `Sent ${headline(sent)}: status ${sent.status}.`);
      } catch (error) {
        const code = problemCode(error);
        if (!code || !AWAITS_APPROVAL.includes(code)) throw error;
        print(program, draft, () =>
          [
            `Not sent: the package is a draft awaiting approval by a second user (four-eyes); status ${draft.status}.`,
            `Another liaison approves and sends it with:`,
            `  countersign package approve ${draft.id} --send   (with their token in COUNTERSIGN_TOKEN)`,
          ].join('\n'),
        );
      }
    });

  withApiOptions(
    pkg
      .command('approve')
      .argument('<id>', 'the draft package’s id')
      .description('approve a draft written by someone else (four-eyes), and with --send, send it')
      .option('--send', 'send it once approved'),
  ).action(async (id: string, options: ApiOptions & { send?: boolean }) => {
    const client = clientFor(options);
    const approved = await client.call<Package>('POST', `/api/v1/packages/${encodeURIComponent(id)}/approve`);
    if (!options.send) {
      print(program, approved, () => `Approved ${headline(approved)}; send it with --send or from the web UI.`);
      return;
    }
    note(program, `Approved ${headline(approved)}.`);
    const sent = await client.call<Package>('POST', `/api/v1/packages/${encodeURIComponent(id)}/send`);
    print(program, sent, () => `Sent ${headline(sent)}: status ${sent.status}.`);
  });

  withApiOptions(
    pkg
      .command('list')
      .description('list packages: id, kind, status, counterparty, title, due date, overdue')
      .addOption(new Option('--box <box>', 'which packages').choices(BOXES).default('all')),
  ).action(async (options: ApiOptions & { box: string }) => {
    const client = clientFor(options);
    const list = await client.call<{ items: PackageSummary[] }>('GET', `/api/v1/packages?box=${options.box}`);
    print(program, list, () => {
      if (list.items.length === 0) return `No packages in ${options.box}.`;
      const clip = (s: string) => (s.length > 50 ? `${s.slice(0, 49)}…` : s);
      return table(
        ['ID', 'KIND', 'STATUS', 'COUNTERPARTY', 'TITLE', 'DUE', 'OVERDUE'],
        list.items.map((p) => [
          p.id,
          p.kind,
          p.status,
          `${p.direction === 'outgoing' ? 'to' : 'from'} ${p.counterparty}`,
          clip(p.title),
          p.dueDate ?? '',
          p.overdue ? 'OVERDUE' : '',
        ]),
      );
    });
  });
}
