import { Command, Option } from 'commander';
import { backfillCommand } from './commands/backfill.js';
import { codecServerCommand } from './commands/codec-server.js';
import { completionCommand } from './commands/completion.js';
import { flagOverrides } from './commands/config-or-exit.js';
import { devoReceiverCommand } from './commands/devo-receiver.js';
import { emulatorCommand } from './commands/emulator.js';
import { addExamples } from './commands/examples.js';
import { pauseCommand, resumeCommand } from './commands/pause-resume.js';
import { runCommand } from './commands/run.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { workerCommand } from './commands/worker.js';
import { packageVersion } from './version.js';

/**
 * The `o365-trace` command table; each subcommand lives in its own module under client/commands/.
 * Built by a function so tests can read the table (help, completion) without running a command.
 */
export function buildProgram(): Command {
  const program: Command = new Command('o365-trace')
    .description('Collect Exchange Online message trace records into Devo, durably, on Temporal')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addOption(new Option('--tenant <id>', 'the tenant whose collector to address (overrides O365_TENANT_ID)'))
    .showHelpAfterError()
    .hook('preAction', (command) => {
      flagOverrides.tenantId = command.opts<{ tenant?: string }>().tenant;
    })
    .addCommand(runCommand())
    .addCommand(workerCommand())
    .addCommand(startCommand())
    .addCommand(statusCommand())
    .addCommand(backfillCommand())
    .addCommand(pauseCommand())
    .addCommand(resumeCommand())
    .addCommand(emulatorCommand())
    .addCommand(codecServerCommand())
    .addCommand(devoReceiverCommand())
    .addCommand(completionCommand(() => program));
  addExamples(program);
  return program;
}
