import type { Command } from 'commander';
import { loadConfigFile } from '../../config/config.ts';
import { createNode } from '../../node.ts';

/** `countersign node --config FILE`: runs one node until SIGINT or SIGTERM. */
export function registerNodeCommand(program: Command): void {
  program
    .command('node')
    .description(
      'run one node from a JSON config file (DATABASE_URL, COUNTERSIGN_PORT, COUNTERSIGN_DATA_DIR override it)',
    )
    .requiredOption('--config <file>', 'node config file (JSON)')
    .action(async (options: { config: string }) => {
      const config = await loadConfigFile(options.config);
      const node = await createNode(config);
      const url = await node.listen();
      node.ctx.log.info({ url, party: config.party.code, database: node.ctx.db.kind }, 'node listening');
      const stop = async () => {
        await node.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
