import { hostname } from 'node:os';
import { Command } from 'commander';
import proto from '@temporalio/proto';
import type { Config } from '../../config/schema.js';
import { runWorker } from '../../worker/run-worker.js';
import { connectClient } from '../connect.js';
import { configOrExit } from './config-or-exit.js';

/** `o365-trace worker [--health]`: serve the task queue on an existing Temporal server until stopped. */
export function workerCommand(): Command {
  return new Command('worker')
    .description('run a collector worker against TEMPORAL_ADDRESS')
    .option('--health', 'exit 0 when a worker on this host polls the task queue, else 1 (a container healthcheck)')
    .action(async (options: { health?: boolean }) => {
      const config = configOrExit('worker', { serverNeededFor: 'for `worker` (use `run` for the all-in-one mode)' });
      if (options.health) {
        const polling = await pollsFromThisHost(config);
        console.log(`${polling ? 'healthy' : 'unhealthy'}: ${polling ? 'a' : 'no'} worker on ${hostname()} polled ${config.temporal.taskQueue} in the last ${LIVE_POLLER_MS / 60_000} minutes`);
        process.exitCode = polling ? 0 : 1;
        return;
      }
      await runWorker(config, { address: config.temporal.address! });
    });
}

/** A poller stays listed for minutes after it stops; a live one polls again at least once a minute. */
const LIVE_POLLER_MS = 2 * 60_000;

/** True when Temporal saw a workflow poll from this host lately (worker identities are `pid@hostname`). */
async function pollsFromThisHost(config: Config): Promise<boolean> {
  const { client, connection } = await connectClient(config);
  try {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: config.temporal.namespace,
      taskQueue: { name: config.temporal.taskQueue },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    const since = Date.now() - LIVE_POLLER_MS;
    return pollers.some((p) => p.identity?.endsWith(`@${hostname()}`) && Number(p.lastAccessTime?.seconds ?? 0) * 1000 > since);
  } finally {
    await connection.close();
  }
}
