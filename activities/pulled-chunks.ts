import { activityInfo, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { LRUCache } from 'lru-cache';
import type { PackedRecords } from './packed-records.js';
import type { PulledPage } from './types.js';

/** The failure type of a send whose chunk is in neither this worker's memory nor its run's history. */
export const PULLED_CHUNK_MISSING = 'PulledChunkMissing';

/**
 * The chunks this worker pulled, kept until they are sent. A chunk enters history once, as its pull's
 * result; the send then names that pull (`PackedRecords.pulledBy`) instead of carrying the bytes again,
 * which halves the history and the server's work per record. A send finds its chunk here, or, when
 * another worker pulled it, after a restart, or once evicted, reads it back from the run's history:
 * a failed send still never costs a Microsoft call.
 */
export class PulledChunks {
  private readonly chunks: LRUCache<string, PackedRecords>;

  constructor(maxBytes = 64 * 1024 * 1024) {
    // A chunk pulled but never sent (a paused collector, a workflow that moved to another worker) ages out.
    this.chunks = new LRUCache({ maxSize: maxBytes, sizeCalculation: (packed) => Math.max(1, packed.deflated?.length ?? 0), ttl: 60 * 60_000 });
  }

  /** Called by the pull that just packed the chunk. */
  remember(pullActivityId: string, packed: PackedRecords): void {
    if (packed.deflated && activityInfo().workflowExecution) this.chunks.set(keyOf(pullActivityId), packed);
  }

  /** The chunk a pull of the running activity's workflow run packed, if this worker still holds it. */
  get(pullActivityId: string): PackedRecords | undefined {
    return activityInfo().workflowExecution ? this.chunks.get(keyOf(pullActivityId)) : undefined;
  }

  /** Called once the chunk is confirmed by Devo: nothing will ask for it again. */
  forget(pullActivityId: string): void {
    if (activityInfo().workflowExecution) this.chunks.delete(keyOf(pullActivityId));
  }
}

/** A pull's chunk in the running activity's workflow run: activity ids are unique within a run only. */
function keyOf(pullActivityId: string): string {
  const { workflowId, runId } = workflowRun();
  return `${workflowId}/${runId}/${pullActivityId}`;
}

function workflowRun(): { readonly workflowId: string; readonly runId: string } {
  const run = activityInfo().workflowExecution;
  if (!run) throw new Error('a pulled chunk belongs to a workflow run; this activity has none');
  return run;
}

/** Reads the result of the run's pullPage activity `pullActivityId` from the run's history, through the worker's codec. */
export async function chunkInHistory(pullActivityId: string): Promise<PackedRecords> {
  const { workflowId, runId } = workflowRun();
  const client = Context.current().client;
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  let scheduledEventId: string | undefined;
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes?.activityId === pullActivityId) scheduledEventId = String(event.eventId);
    const completed = event.activityTaskCompletedEventAttributes;
    if (scheduledEventId === undefined || !completed || String(completed.scheduledEventId) !== scheduledEventId) continue;
    const pulled = await decodeFromPayloadsAtIndex<PulledPage>(client.options.loadedDataConverter, 0, completed.result?.payloads);
    if (pulled.packed) return pulled.packed;
  }
  throw ApplicationFailure.nonRetryable(`the chunk of pull ${pullActivityId} is in neither this worker's memory nor the run's history`, PULLED_CHUNK_MISSING);
}
