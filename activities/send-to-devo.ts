import { activityInfo, heartbeat, log } from '@temporalio/activity';
import { maxRecordBytes } from '../devo/framing.js';
import type { DevoEvent } from '../devo/transport.js';
import type { TraceRecord } from '../microsoft/records.js';
import type { ActivityDeps } from './deps.js';
import { withFailureTypes } from './failures.js';
import { whileHeartbeating } from './heartbeats.js';
import { sendContentOf, type PackedRecords, type SendContent, type SendProgress, type SendToDevoInput, type SendToDevoResult } from '../contracts/activity-io.js';
import { unpackEventBytes } from '../records/packed-lines.js';
import { eventOf } from './packed-records.js';
import { chunkInHistory, PulledChunkMissingError } from './pulled-chunks.js';

/**
 * Delivers one pull's pages in confirmed batches: each batch is written, half-closed and confirmed by the
 * receiver's EOF before the next starts. Progress is heartbeated, so a retried attempt resumes after the
 * last confirmed batch and repeats at most the one batch whose confirmation was lost.
 */
export function sendToDevoActivity(deps: ActivityDeps) {
  return async function sendToDevo(input: SendToDevoInput): Promise<SendToDevoResult> {
    return withFailureTypes(async () => {
      const info = activityInfo();
      // Before anything else: a send for a tenant this worker does not serve must reach no Devo at all.
      const route = deps.tenants.get(input.tenantId).devo;
      const resumeFrom = (info.heartbeatDetails as SendProgress | undefined)?.confirmedBatches ?? 0;
      const events: DevoEvent[] = [];
      const oversize: TraceRecord[] = [];
      const now = deps.now();
      const maxBytes = maxRecordBytes(deps.maxEventBytes);
      const content = sendContentOf(input);
      const packed = content.kind === 'records' ? content.records.map(eventOf) : unpackEventBytes(await chunkOf(deps, content));
      for (const { json, timeMs } of packed) {
        // Never cut an event silently: one too large for Devo is counted and reported instead.
        if ((typeof json === 'string' ? Buffer.byteLength(json) : json.length) > maxBytes) oversize.push(JSON.parse(json.toString()) as TraceRecord);
        else events.push({ tag: route.tag, hostname: deps.devoHostname, timestamp: timeMs ?? now, message: json });
      }
      if (oversize.length > 0 && resumeFrom === 0) {
        await deps.deadLetter(oversize, { tenantId: input.tenantId, reason: 'oversize', window: input.window, page: input.page });
        log.warn('records too large for one Devo event went to the dead-letter file instead', { count: oversize.length, page: input.page });
      }
      const batches = chunk(events, deps.devoBatchSize);
      let bytes = 0;
      let progress: SendProgress = { confirmedBatches: resumeFrom };
      await whileHeartbeating(async () => {
        for (let index = resumeFrom; index < batches.length; index++) {
          const result = await route.transport.sendBatch(batches[index]!, deps.signal());
          bytes += result.bytes;
          progress = { confirmedBatches: index + 1 };
          // After the last batch the activity completes at once: a beat there would be one more server
          // write per send that no retry could use before the completion lands.
          if (index + 1 < batches.length) heartbeat(progress);
        }
      }, () => progress);
      // A retry after any attempt resends the batch that was in flight when the previous attempt died.
      const resent = info.attempt > 1 && resumeFrom < batches.length ? batches[resumeFrom]!.length : 0;
      if (resent > 0) log.info('resumed a send after the last confirmed batch', { resumeFrom, resent });
      if (input.packed?.chunkId !== undefined) deps.pulledChunks?.forget(input.packed.chunkId);
      return { delivered: events.length, batches: batches.length, resent, oversize: oversize.length, bytes };
    }, deps);
  };
}

/** The packed bytes to send: as given, or, when the input names the pull that packed them, that pull's. */
async function chunkOf(deps: ActivityDeps, content: Exclude<SendContent, { kind: 'records' }>): Promise<PackedRecords> {
  if (content.kind === 'packed') return content.packed;
  const kept = content.chunkId !== undefined ? deps.pulledChunks?.get(content.chunkId) : undefined;
  const pulled = kept ?? (await (deps.chunkInHistory ?? chunkInHistory)(content.pulledBy));
  if (pulled.count !== content.count || pulled.chunkId !== content.chunkId) {
    throw new PulledChunkMissingError(`the chunk of pull ${content.pulledBy} is not the one the send names (${pulled.count} records against ${content.count})`);
  }
  return pulled;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
