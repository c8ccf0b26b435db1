import type { Command } from 'commander';
import { loadConfigFile } from '../../config/config.ts';
import { createNode } from '../../node.ts';
import { getIdentity } from '../../modules/parties/parties.service.ts';
import { addTargetOptions, withTargetNode, type TargetOptions } from '../node-target.ts';
import { print } from '../output.ts';

/** The public identity a peer pins: the same JSON as GET /federation/v1/identity. */
export interface PublicIdentity {
  party: string;
  names: { en: string; zh: string; es: string };
  keys: { kid: string; publicJwk: unknown; retiredAt: string | null }[];
}

/**
 * `countersign node [run] --config FILE` runs one node until SIGINT or SIGTERM;
 * `countersign node identity` prints what the peer's operator needs to pin this node.
 */
export function registerNodeCommand(program: Command): void {
  const node = program.command('node').description('run a node, or show its identity');
  node
    .command('run', { isDefault: true })
    .description(
      'run one node from a JSON config file (DATABASE_URL, COUNTERSIGN_PORT, COUNTERSIGN_DATA_DIR override it)',
    )
    .requiredOption('--config <file>', 'node config file (JSON)')
    .action(async (options: { config: string }) => {
      const config = await loadConfigFile(options.config);
      const running = await createNode(config);
      const url = await running.listen();
      running.ctx.log.info({ url, party: config.party.code, database: running.ctx.db.kind }, 'node listening');
      const stop = async () => {
        await running.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });

  addTargetOptions(
    node
      .command('identity')
      .description('print this node’s party and public keys as JSON, to hand to the peer’s operator'),
  ).action(async (options: TargetOptions) => {
    const identity = await withTargetNode(options, async (opened) => getIdentity(opened.ctx.db));
    const pub: PublicIdentity = {
      party: identity.party,
      names: identity.names,
      keys: identity.keys.map(({ kid, publicJwk, retiredAt }) => ({ kid, publicJwk, retiredAt })),
    };
    // The identity is JSON either way: it is meant to be saved to a file and handed over.
    print(program, pub, () => JSON.stringify(pub, null, 2));
  });
}
