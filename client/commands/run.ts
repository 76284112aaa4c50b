import { Command } from 'commander';
import { runAllInOne } from '../run-all-in-one.js';
import { configOrExit } from './config-or-exit.js';

/** `o365-trace run [--until-caught-up]`: the all-in-one mode, and `npm start`. */
export function runCommand(): Command {
  return new Command('run')
    .description('all in one: embedded Temporal dev server, a worker, the collector and a live status line (the demo when no credentials are set)')
    .option('--until-caught-up', 'exit 0 once the cursor reached now - lag')
    .action(async (options: { untilCaughtUp?: boolean }) => {
      const config = configOrExit('run');
      process.exitCode = await runAllInOne(config, { untilCaughtUp: options.untilCaughtUp });
    });
}
