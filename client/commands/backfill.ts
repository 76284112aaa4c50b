import { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { requestBackfill, waitForBackfill } from '../backfill.js';
import { backfillProgressView } from '../backfill-progress.js';
import { formatTime } from '../format.js';
import { withClient } from './with-client.js';

/** `o365-trace backfill --from T --to T [--wait]`: pull a past range again, beside the live tail. */
export function backfillCommand(): Command {
  const command = new Command('backfill')
    .description('pull a past range again without stopping the live collection')
    .requiredOption('--from <time>', 'ISO start, inclusive')
    .requiredOption('--to <time>', 'ISO end, exclusive')
    .option('--wait', 'show progress (this request: bar, rate, ETA) until the range is delivered')
    .action(async (options: { from: string; to: string; wait?: boolean }) => {
      await withClient('backfill', async (client, config) => {
        const accepted = await requestBackfill(client, config.microsoft.tenantId, options.from, options.to).catch((err: unknown) => {
          if (err instanceof WorkflowUpdateFailedError) throw new Error(`backfill refused: ${(err.cause as Error | undefined)?.message ?? err.message}`);
          throw err;
        });
        console.log(`backfill accepted: ${formatTime(accepted.from)} .. ${formatTime(accepted.to)}`);
        if (!options.wait) {
          console.log('next: o365-trace status   (or re-run with --wait)');
          return;
        }
        const view = backfillProgressView(accepted);
        try {
          await waitForBackfill(client, config.microsoft.tenantId, accepted, (status) => view.update(status));
        } finally {
          view.stop();
        }
        console.log('backfill delivered');
      });
    });
  return command;
}
