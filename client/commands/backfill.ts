import { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { requestBackfill, waitForBackfill } from '../backfill.js';
import { withClient } from './with-client.js';

/** `o365-trace backfill --from T --to T [--wait]`: pull a past range again, beside the live tail. */
export function backfillCommand(): Command {
  return new Command('backfill')
    .description('pull a past range again without stopping the live collection')
    .requiredOption('--from <time>', 'ISO start, inclusive')
    .requiredOption('--to <time>', 'ISO end, exclusive')
    .option('--wait', 'show progress until the range is delivered')
    .action(async (options: { from: string; to: string; wait?: boolean }) => {
      await withClient(async (client, config) => {
        const accepted = await requestBackfill(client, config.microsoft.tenantId, options.from, options.to).catch((err: unknown) => {
          if (err instanceof WorkflowUpdateFailedError) throw new Error(`backfill refused: ${(err.cause as Error | undefined)?.message ?? err.message}`);
          throw err;
        });
        console.log(`backfill accepted: ${accepted.from} .. ${accepted.to}`);
        if (!options.wait) {
          console.log('next: o365-trace status   (or re-run with --wait)');
          return;
        }
        const tty = process.stdout.isTTY;
        await waitForBackfill(client, config.microsoft.tenantId, accepted, (status) => {
          const progress = status.backfill?.progress ?? 1;
          const bar = '#'.repeat(Math.round(progress * 30)).padEnd(30, '.');
          const line = `[${bar}] ${(progress * 100).toFixed(1)}% of pending backfill, ${status.totals.records} records delivered in all`;
          if (tty) process.stdout.write(`\r${line}`);
          else console.log(line);
        });
        if (tty) process.stdout.write('\n');
        console.log('backfill delivered');
      });
    });
}
