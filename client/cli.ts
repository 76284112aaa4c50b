#!/usr/bin/env node
import { Command } from 'commander';
import { emulatorCommand } from './commands/emulator.js';
import { devoReceiverCommand } from './commands/devo-receiver.js';

/** The `o365-trace` command table; each subcommand lives in its own module under client/commands/. */
const program = new Command('o365-trace')
  .description('Collect Exchange Online message trace records into Devo, durably, on Temporal')
  .showHelpAfterError()
  .addCommand(emulatorCommand())
  .addCommand(devoReceiverCommand());

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(process.env.DEBUG ? err : `error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
