import { configOrExit } from '../config/config-or-exit.js';
import { runWorker } from './run-worker.js';

/** Worker entry point for production (also `o365-trace worker`): TEMPORAL_ADDRESS must name the cluster. */
async function main(): Promise<void> {
  const config = configOrExit('worker');
  if (!config.temporal.address) {
    console.error('o365-trace: invalid configuration\n  TEMPORAL_ADDRESS: required for a standalone worker');
    process.exit(2);
  }
  await runWorker(config, { address: config.temporal.address });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
