import { activityInfo, Context } from '@temporalio/activity';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { LRUCache } from 'lru-cache';
import type { PackedRecords, PulledPage } from '../contracts/activity-io.js';
import { FailureType, type FailureTypeName } from '../contracts/failure-types.js';

/**
 * A send names a chunk that is in neither this worker's memory nor its run's history, or one that differs
 * from what the send names: sending again cannot help, and the workflow pulls the chunk again.
 */
export class PulledChunkMissingError extends Error {
  override name = 'PulledChunkMissingError';
  get failureType(): FailureTypeName {
    return FailureType.PulledChunkMissing;
  }
}

/**
 * The chunks this worker pulled, kept until they are sent. A chunk enters history once, as its pull's
 * result; the send then names that pull (`PackedRecords.pulledBy`) instead of carrying the bytes again,
 * which halves the history (and its continue-as-new runs). A send finds its chunk here, or, when
 * another worker pulled it, after a restart, or once evicted, reads it back from the run's history:
 * a failed send still never costs a Microsoft call.
 *
 * Chunks are kept by an id each pull attempt draws (`PackedRecords.chunkId`), not by the activity's id:
 * an attempt whose result never reached history (it timed out, and a retry elsewhere completed) leaves
 * a chunk no send will name, so a send never takes one that differs from the recorded result.
 */
export class PulledChunks {
  private readonly chunks: LRUCache<string, PackedRecords>;

  constructor(maxBytes = 64 * 1024 * 1024) {
    // A chunk pulled but never sent (a paused collector, a workflow that moved to another worker) ages out.
    this.chunks = new LRUCache({ maxSize: maxBytes, sizeCalculation: (packed) => Math.max(1, packed.deflated?.length ?? 0), ttl: 60 * 60_000 });
  }

  /** Called by the pull that just packed the chunk. */
  remember(packed: PackedRecords): void {
    if (packed.deflated && packed.chunkId !== undefined) this.chunks.set(packed.chunkId, packed);
  }

  get(chunkId: string): PackedRecords | undefined {
    return this.chunks.get(chunkId);
  }

  /** Called once the chunk is confirmed by Devo: nothing will ask for it again. */
  forget(chunkId: string): void {
    this.chunks.delete(chunkId);
  }
}

/** Reads the result of the running activity's workflow run's pullPage activity `pullActivityId` from history, through the worker's codec. */
export async function chunkInHistory(pullActivityId: string): Promise<PackedRecords> {
  const run = activityInfo().workflowExecution;
  if (!run) throw new Error('a pulled chunk belongs to a workflow run; this activity has none');
  const { workflowId, runId } = run;
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
  throw new PulledChunkMissingError(`the chunk of pull ${pullActivityId} is in neither this worker's memory nor the run's history`);
}
