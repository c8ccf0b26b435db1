import type { Command } from 'commander';
import { DomainError } from '../../common/errors.ts';
import { parseWith } from '../../common/validation.ts';
import { NewUserSchema } from '../../modules/auth/auth.schema.ts';
import { createUser } from '../../modules/auth/auth.service.ts';
import { selectIdentity } from '../../modules/parties/parties.repository.ts';
import { SYSTEM } from '../../platform/actor.ts';
import { addTargetOptions, withTargetDb, type TargetOptions } from '../node-target.ts';
import { print } from '../output.ts';
import { readNewPassword } from '../secret-input.ts';

interface UserAddOptions extends TargetOptions {
  party?: string;
  username: string;
  displayName: string;
  roles: string;
  passwordStdin?: boolean;
}

/** `countersign user add`: creates a user straight in a node's database (how the first admin is made). */
export function registerUserCommand(program: Command): void {
  const user = program.command('user').description('manage a node’s users directly in its database');
  addTargetOptions(
    user
      .command('add')
      .description('create a user in a node’s database; the node need not be running, nor have started yet')
      .requiredOption('--username <name>', 'login name: lower-case letters, digits, dots, dashes, underscores')
      .requiredOption('--display-name <name>', 'name shown to colleagues and in the audit trail')
      .requiredOption('--roles <list>', 'comma-separated: admin, liaison, analyst, regulator, lead, auditor')
      .option('--party <code>', 'refuse unless the database belongs to this party (guards against the wrong folder)')
      .option('--password-stdin', 'read the password from standard input (e.g. from a secrets manager)'),
  )
    .addHelpText(
      'after',
      `
The password is never taken from a flag: a flag stays in shell history and is visible to other
users in the process list. Give it with --password-stdin, or in the environment variable
COUNTERSIGN_PASSWORD, or type it when asked (at a terminal, without echo).

Example:
  printf '%s' "$PASSWORD" | countersign user add --config us.json --username admin \\
    --display-name "Node administrator" --roles admin --password-stdin`,
    )
    .action(async (options: UserAddOptions) => {
      const roles = options.roles
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      const fields = { username: options.username, displayName: options.displayName, roles };
      // Refuse bad fields before asking for a password that would then be thrown away.
      parseWith(NewUserSchema.omit({ password: true }), fields);
      const password = await readNewPassword(options);
      parseWith(NewUserSchema, { ...fields, password });
      const created = await withTargetDb(options, async (db, target) => {
        const expected = options.party ?? target.config?.party.code;
        const identity = await selectIdentity(db);
        if (expected && identity && identity.party_code !== expected) {
          throw new DomainError(
            'conflict',
            `wrong node: the database belongs to ${identity.party_code}, not ${expected}; nothing created`,
          );
        }
        const row = await db.transaction((tx) => createUser(tx, SYSTEM, { ...fields, password }));
        return { user: row, label: target.label };
      });
      print(
        program,
        created.user,
        () =>
          `Created user ${created.user.username} (${created.user.displayName}) with roles ${created.user.roles.join(', ')} in ${created.label}.`,
      );
    });
}
