import type { Command } from 'commander';
import { createApiTokenForUsername } from '../../modules/auth/auth.service.ts';
import { addTargetOptions, withTargetDb, type TargetOptions } from '../node-target.ts';
import { note, print } from '../output.ts';

interface TokenCreateOptions extends TargetOptions {
  username: string;
  name: string;
}

/** `countersign token create`: an API token for scripts, written straight into the node's database. */
export function registerTokenCommand(program: Command): void {
  const token = program.command('token').description('API tokens for scripts and the CLI');
  addTargetOptions(
    token
      .command('create')
      .description('issue an API token for a user; prints it once (only its hash is stored)')
      .requiredOption('--username <name>', 'the user the token acts as')
      .requiredOption('--name <name>', 'what the token is for, shown in the audit trail (e.g. "nightly import")'),
  ).action(async (options: TokenCreateOptions) => {
    const value = await withTargetDb(options, (db) => createApiTokenForUsername(db, options.username, options.name));
    note(program, `API token for ${options.username} ("${options.name}"); shown once, keep it secret:`);
    print(program, { username: options.username, name: options.name, token: value }, () => value);
  });
}
