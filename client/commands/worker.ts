import { Command } from 'commander';
import { runWorker } from '../../worker/run-worker.js';
import { configOrExit } from './config-or-exit.js';

/** `o365-trace worker`: serve the task queue on an existing Temporal server until stopped. */
export function workerCommand(): Command {
  return new Command('worker').description('run a collector worker against TEMPORAL_ADDRESS').action(async () => {
    const config = configOrExit('worker');
    if (!config.temporal.address) {
      console.error('o365-trace: invalid configuration\n  TEMPORAL_ADDRESS: required for `worker` (use `run` for the all-in-one mode)');
      process.exit(2);
    }
    await runWorker(config, { address: config.temporal.address });
  });
}
