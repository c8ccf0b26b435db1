import { Command } from 'commander';
import { registerNodeCommand } from './commands/node.command.ts';
import { runCli } from './output.ts';

const program = new Command()
  .name('countersign')
  .description('Countersign node: sovereign, signed, release-checked exchange between working-group parties')
  .option('--json', 'print machine-readable JSON instead of text');

registerNodeCommand(program);

await runCli(program, process.argv);
