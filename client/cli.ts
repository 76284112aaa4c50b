#!/usr/bin/env node
import { Command } from 'commander';
import { backfillCommand } from './commands/backfill.js';
import { codecServerCommand } from './commands/codec-server.js';
import { devoReceiverCommand } from './commands/devo-receiver.js';
import { emulatorCommand } from './commands/emulator.js';
import { pauseCommand, resumeCommand } from './commands/pause-resume.js';
import { runCommand } from './commands/run.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { workerCommand } from './commands/worker.js';

/** The `o365-trace` command table; each subcommand lives in its own module under client/commands/. */
const program = new Command('o365-trace')
  .description('Collect Exchange Online message trace records into Devo, durably, on Temporal')
  .showHelpAfterError()
  .addCommand(runCommand())
  .addCommand(workerCommand())
  .addCommand(startCommand())
  .addCommand(statusCommand())
  .addCommand(backfillCommand())
  .addCommand(pauseCommand())
  .addCommand(resumeCommand())
  .addCommand(emulatorCommand())
  .addCommand(codecServerCommand())
  .addCommand(devoReceiverCommand());

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(process.env.DEBUG ? err : `o365-trace: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
