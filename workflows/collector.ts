import { CollectorManager } from './collector-manager.js';
import type { CollectorInput } from './state.js';

/**
 * One long-lived collector per tenant. Loop: the next live window once it ends before now - lag → pull
 * every page following the API's next link → deliver each page to Devo, confirmed → advance the cursor.
 * Between live windows, pending backfill chunks are pulled page by page, giving way to the live tail.
 * The history is the checkpoint: after a crash the window resumes from its first unconfirmed page.
 */
export async function messageTraceCollector(input: CollectorInput): Promise<void> {
  const collector = new CollectorManager(input);
  collector.registerHandlers();
  while (!collector.shouldContinueAsNew()) {
    collector.report();
    await collector.untilResumed();
    const live = collector.nextLiveWindow();
    if (live) {
      await collector.collectLiveWindow(live);
      continue;
    }
    const chunk = collector.nextBackfillChunk();
    if (chunk) {
      await collector.collectBackfillChunk(chunk);
      continue;
    }
    await collector.waitForNextWindow();
  }
  await collector.continueAsNew();
}
