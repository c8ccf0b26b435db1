import type { Command } from 'commander';
import { z } from 'zod';
import { validationError, type FieldIssue } from '../../common/errors.ts';
import { parseWith } from '../../common/validation.ts';
import { keyIdFor } from '../../modules/parties/keys.ts';
import { addPeer } from '../../modules/parties/parties.service.ts';
import { PartyCodeSchema, PartyNamesSchema, PinnedKeySchema } from '../../modules/parties/parties.schema.ts';
import { SYSTEM } from '../../platform/actor.ts';
import { addTargetOptions, withTargetNode, type TargetOptions } from '../node-target.ts';
import { CliError, note, print } from '../output.ts';
import { readJsonFile } from '../json-file.ts';

/** What GET /federation/v1/identity answers and `countersign node identity` prints. */
const IdentitySchema = z.object({
  party: PartyCodeSchema,
  names: PartyNamesSchema,
  keys: z.array(PinnedKeySchema.extend({ retiredAt: z.string().nullable().default(null) })).min(1),
});
type PeerIdentity = z.infer<typeof IdentitySchema>;

interface PeerAddOptions extends TargetOptions {
  party: string;
  url: string;
  identityFile?: string;
  fromUrl?: boolean;
  yes?: boolean;
}

async function fetchIdentity(url: string): Promise<unknown> {
  const address = new URL('/federation/v1/identity', url);
  let response: Response;
  try {
    response = await fetch(address, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new CliError(`cannot reach ${address.href}: ${cause ?? (error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) throw new CliError(`${address.href} answered ${response.status}: ${text.slice(0, 300)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${address.href} did not answer JSON`);
  }
}

const describeKeys = (identity: PeerIdentity) =>
  identity.keys.map((k) => `  ${k.kid}${k.retiredAt ? `  (retired ${k.retiredAt}, not pinned)` : ''}`).join('\n');

/** `countersign peer add`: pins a peer's public keys, from a file handed over out of band or fetched and confirmed. */
export function registerPeerCommand(program: Command): void {
  const peer = program.command('peer').description('peers of a node and their pinned keys');
  addTargetOptions(
    peer
      .command('add')
      .description('add a peer and pin its public signing keys (run it while the node is stopped)')
      .requiredOption('--party <code>', 'the peer’s party code, e.g. CN')
      .requiredOption('--url <url>', 'where this node reaches the peer, e.g. https://countersign.example.cn')
      .option('--identity-file <file>', 'the peer’s identity JSON, as its `countersign node identity` prints it')
      .option('--from-url', 'fetch the identity from the peer’s URL instead; shows the key ids to confirm')
      .option('--yes', 'with --from-url: the key ids were confirmed with the peer’s operator; pin them'),
  )
    .addHelpText(
      'after',
      `
Pinning a key decides whom this node believes, so the key ids must be checked with the peer's
operator over a separate channel (in person, by phone). An identity file handed over that way
is pinned at once; with --from-url the command first prints the key ids and pins nothing until
it is run again with --yes.

A node loads its peers when it starts: stop it before adding a peer (a PGlite data folder can
only be open in one process) and start it again afterwards. To add a peer to a running node,
use its API: POST /api/v1/peers.`,
    )
    .action(async (options: PeerAddOptions) => {
      if (Boolean(options.identityFile) === Boolean(options.fromUrl)) {
        throw new CliError('give the peer’s keys with exactly one of --identity-file FILE or --from-url');
      }
      const raw = options.identityFile ? await readJsonFile(options.identityFile) : await fetchIdentity(options.url);
      const identity = parseWith(IdentitySchema, raw, 'identity');
      if (identity.party !== options.party) {
        throw new CliError(`the identity is party ${identity.party}'s, not ${options.party}'s; nothing pinned`);
      }
      const active = identity.keys.filter((k) => k.retiredAt === null);
      if (active.length === 0) throw new CliError(`${identity.party} has no active key to pin; nothing pinned`);
      // Checked here too (addPeer checks again) so a bad file fails before the database is opened.
      const mismatched: FieldIssue[] = [];
      for (const [i, key] of identity.keys.entries()) {
        const expected = await keyIdFor(identity.party, key.publicJwk);
        if (key.kid !== expected) {
          mismatched.push({ path: `identity.keys.${i}.kid`, message: `does not match its key (expected ${expected})` });
        }
      }
      if (mismatched.length) throw validationError(mismatched);
      if (options.fromUrl && !options.yes) {
        print(program, { party: identity.party, url: options.url, keys: identity.keys, pinned: false }, () =>
          [
            `${identity.party} (${identity.names.en}) at ${options.url} presents these keys:`,
            describeKeys(identity),
          ].join('\n'),
        );
        throw new CliError(
          `nothing pinned: confirm these key ids with ${identity.party}'s operator over another channel, then run again with --yes`,
        );
      }
      const pinned = await withTargetNode(options, (node) =>
        addPeer(node.ctx, node.keyring, SYSTEM, {
          party: identity.party,
          names: identity.names,
          url: options.url,
          keys: active.map(({ kid, publicJwk }) => ({ kid, publicJwk })),
        }),
      );
      print(program, pinned, () =>
        [
          `Pinned ${pinned.party} (${pinned.names.en}) at ${pinned.url}; keys:`,
          ...pinned.keys.map((k) => `  ${k.kid}${k.retiredAt ? ' (retired)' : ''}`),
        ].join('\n'),
      );
      note(program, 'Start (or restart) the node to use the new peer.');
    });
}
