import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfigFile } from '../../config/config.ts';
import { verifyRecord } from '../../modules/ledger/ledger.verifier.ts';
import { addTargetOptions, withTargetDb, type TargetOptions } from '../node-target.ts';
import { CliError, jsonWanted, print } from '../output.ts';

/** Exit status when the record is broken, apart from 1 (the check could not run at all). */
export const EXIT_RECORD_BROKEN = 2;

/** `countersign verify`: rebuilds a node's Merkle log from its database and checks everything signed over it. */
export function registerVerifyCommand(program: Command): void {
  addTargetOptions(
    program
      .command('verify')
      .description(
        'rebuild the verifiable record from its leaves and check every tree head and countersignature; ' +
          `exit 0 when intact, ${EXIT_RECORD_BROKEN} naming the first broken entry`,
      ),
  )
    .addHelpText(
      'after',
      `
A PGlite data folder can be open in one process only: stop the node first, or verify a copy,
or ask the running node (GET /api/v1/ledger/verify).

Example:
  countersign verify --data-dir data/us`,
    )
    .action(async (options: TargetOptions) => {
      // Opening a folder that is not there would create an empty node and call it intact.
      const dataDir = options.dataDir ?? (options.config ? (await loadConfigFile(options.config)).dataDir : undefined);
      if (dataDir && !options.databaseUrl && !existsSync(dataDir)) throw new CliError(`no data folder at ${dataDir}`);
      const report = await withTargetDb(options, (db) => verifyRecord(db));
      if (report.ok) {
        print(
          program,
          report,
          () =>
            `intact: ${report.leaves} leaves, ${report.heads} heads, ${report.countersignatures} countersignatures` +
            ` (and ${report.peerHeads} heads of the peer countersigned)`,
        );
        return;
      }
      const broken = report.firstBroken;
      if (jsonWanted(program)) print(program, report, () => '');
      else process.stderr.write(`countersign: record broken at ${broken?.entry}: ${broken?.problem}\n`);
      process.exitCode = EXIT_RECORD_BROKEN;
    });
}
