import { Command } from 'commander';
import { registerClassifyCommand } from './commands/classify.command.ts';
import { registerNodeCommand } from './commands/node.command.ts';
import { registerPackageCommand } from './commands/package.command.ts';
import { registerPeerCommand } from './commands/peer.command.ts';
import { registerStartCommand } from './commands/start.command.ts';
import { registerTokenCommand } from './commands/token.command.ts';
import { registerUserCommand } from './commands/user.command.ts';
import { registerVerifyCommand } from './commands/verify.command.ts';
import { runCli } from './output.ts';

const program = new Command()
  .name('countersign')
  .description('Countersign node: sovereign, signed, release-checked exchange between working-group parties')
  .option('--json', 'print machine-readable JSON instead of text');

registerStartCommand(program);
registerNodeCommand(program);
registerUserCommand(program);
registerTokenCommand(program);
registerPeerCommand(program);
registerPackageCommand(program);
registerVerifyCommand(program);
registerClassifyCommand(program);

await runCli(program, process.argv);
