import { randomUUID } from 'node:crypto';
import { activityInfo, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { maxRecordBytes } from '../devo/framing.js';
import { pullGraphPage } from '../microsoft/graph.js';
import { receivedTimeMs } from '../microsoft/received-time.js';
import type { TracePage, TraceRecord } from '../microsoft/records.js';
import { pullReportingPage } from '../microsoft/reporting.js';
import { afterResumePoint, clampResumePoint, resumePointOf, type ResumePoint } from '../microsoft/resume-point.js';
import { iso, type TimeWindow } from '../time-windows/index.js';
import type { ActivityDeps, DeadLetterContext } from './deps.js';
import { PackedChunk } from './packed-records.js';
import { toApplicationFailure, withFailureTypes } from './failures.js';
import { whileHeartbeating } from './heartbeats.js';
import type { PackedRecords, PulledPage, PullPageInput } from '../contracts/activity-io.js';

/**
 * Deflated bytes a chunk of pages may reach before the puller stops following next links: another page is
 * asked for only while one as large as the last still fits. The payload carries these bytes as they are
 * (codec/payload-converter.ts; the codec only encrypts them), so a chunk stays under the 256 KB a payload
 * should stay below even when its last page packs up to about 32 KB larger than the one before. Pages of
 * 1,000 records like Microsoft's (about 73 KB packed) go three to a chunk: a third fewer rounds of two
 * activities and two workflow tasks than two to a chunk (test/activities/pull-page.test.ts).
 */
export const MAX_CHUNK_BYTES = 230_000;

/**
 * Deflated bytes no pull result exceeds, whatever Microsoft sends: a page that would take the chunk past it
 * is cut at a record boundary, and the rest of the window is read afresh from the last record kept.
 * Temporal refuses a payload over 2 MB (the pull would then be retried, and ask Microsoft again, for
 * ever) and the 1.24 SDK warns from 512 KiB (https://docs.temporal.io/troubleshooting/blob-size-limit-error);
 * 32 KiB stay free for the rest of the result and the codec. Not 256 KB: a page of 5,000 ordinary rows
 * packs to about 365 KB, and cutting every such page would cost a second query per page.
 */
export const MAX_PULLED_BYTES = 480 * 1024;

/**
 * A record larger than this never fits a pull result on its own, so it is set aside like one too large
 * for Devo: deflate adds at most a few bytes per 16 KB block (zlib's deflateBound), far less than the
 * 16 KiB kept free here. With Devo's default 256 KiB events the Devo limit is the smaller one.
 */
const MAX_PULLED_RECORD_BYTES = MAX_PULLED_BYTES - 16 * 1024;

/**
 * Pulls one page, or up to `maxPages` by following next links while the packed chunk stays small: every
 * chunk is a durable checkpoint, and a retried attempt asks for the same first page again (same URL, same
 * result). Several pages per activity spread Temporal's cost per activity over more records. A later page
 * that fails ends the chunk early with what was pulled: the next pull meets that failure on its first
 * page, where the workflow's handling of it applies, and no page already pulled is asked for again.
 */
export function pullPageActivity(deps: ActivityDeps) {
  return async function pullPage(input: PullPageInput): Promise<PulledPage & { packed: PackedRecords }> {
    return withFailureTypes(() => whileHeartbeating(async () => {
      const ms = deps.tenants.get(input.tenantId).microsoft;
      const maxPages = input.maxPages ?? 1;
      const chunk = new PackedChunk();
      let nextLink = input.nextLink;
      // A resume point outside the window (recorded by versions that took it from any row) would invert the query.
      let resume = nextLink === undefined && input.resumeAfter ? clampResumePoint(input.resumeAfter, input.window) : undefined;
      let resumePoint = resume;
      let pages = 0;
      let endedBy: string | undefined;
      let deadLettered = 0;
      let oversize = 0;
      let outsideWindow = 0;
      let cutShort = false;
      const limits = { maxRecordBytes: Math.min(maxRecordBytes(deps.maxEventBytes), MAX_PULLED_RECORD_BYTES), maxBytes: MAX_PULLED_BYTES };
      const setAside = async (rows: readonly unknown[], reason: DeadLetterContext['reason'], page: number) => {
        if (rows.length === 0) return;
        // One odd row must not stop the tenant's collection: it is kept by hand, the rest goes on.
        await deps.deadLetter(rows, { tenantId: input.tenantId, reason, window: input.window, page });
        log.warn('rows set aside in the dead-letter file', { page, reason, count: rows.length });
        deadLettered += rows.length;
      };
      for (;;) {
        const page = input.page + pages;
        const common = { window: input.window, pageSize: input.pageSize, accessToken: input.accessToken, nextLink, upTo: resume?.received, signal: deps.signal() };
        let pulled: TracePage;
        try {
          pulled = input.source === 'graph' ? await pullGraphPage({ ...common, baseUrl: ms.graphUrl }) : await pullReportingPage({ ...common, baseUrl: ms.reportingUrl });
        } catch (err) {
          if (pages === 0 || deps.signal().aborted) throw err;
          const failure = toApplicationFailure(err, deps);
          endedBy = failure instanceof ApplicationFailure && failure.type ? failure.type : 'Other';
          log.info('a later page of the chunk failed; keeping the pages pulled so far', { page, failure: endedBy, reason: (err as Error).message });
          break;
        }
        await setAside(pulled.unparseable, 'unparseable', page);
        const packed = packPage(chunk, pulled.records, { window: input.window, resume, limits });
        await setAside(packed.tooLarge, 'oversize', page);
        await setAside(packed.outside, 'outside-window', page);
        oversize += packed.tooLarge.length;
        outsideWindow += packed.outside.length;
        pages++;
        resumePoint = packed.resumePoint ?? resumePoint;
        nextLink = pulled.nextLink;
        cutShort = packed.cutShort;
        log.info('page pulled', {
          windowStart: iso(input.window.startMs),
          windowEnd: iso(input.window.endMs),
          page,
          records: packed.records,
          ...(pulled.unparseable.length + packed.tooLarge.length + packed.outside.length > 0 ? { deadLettered: pulled.unparseable.length + packed.tooLarge.length + packed.outside.length } : {}),
          more: nextLink !== undefined,
          ...(cutShort ? { cutAfterBytes: chunk.bytes } : {}),
          ...(resume ? { resumedAfter: resume.received } : {}),
        });
        resume = undefined;
        if (cutShort || !nextLink || pages >= maxPages || chunk.bytes + chunk.lastPageBytes > MAX_CHUNK_BYTES) break;
      }
      const result = { ...chunk.finish(), chunkId: randomUUID() };
      deps.pulledChunks?.remember(result);
      return {
        packed: result,
        activityId: activityInfo().activityId,
        nextLink,
        resumePoint,
        ...(pages > 1 ? { pages } : {}),
        ...(endedBy ? { endedBy } : {}),
        ...(deadLettered > 0 ? { deadLettered } : {}),
        ...(oversize > 0 ? { oversize } : {}),
        ...(outsideWindow > 0 ? { outsideWindow } : {}),
        ...(cutShort ? { cutShort } : {}),
      };
    }), deps);
  };
}

/** What became of one page's records. */
interface PackedPage {
  /** Records added to the chunk. */
  readonly records: number;
  /** Records too large to send or to carry, to set aside. */
  readonly tooLarge: TraceRecord[];
  /** Records received outside the window, to set aside. */
  readonly outside: TraceRecord[];
  /** The page did not fit: its rows from the first one not added on are left for a fresh query. */
  readonly cutShort: boolean;
  /** The last row of the window the page dealt with, if any: where a fresh query goes on from. */
  readonly resumePoint: ResumePoint | undefined;
}

/**
 * Adds a page's records to the chunk: those of the window that a resumed query does not repeat, as many
 * as fit the chunk's byte limit, in Microsoft's order. Rows before the cut are dealt with (added, repeated,
 * too large, or outside the window); rows from the cut on are read again by the fresh query, so none of
 * them is set aside yet. The resume point follows the window's rows as Microsoft sent them, even when
 * repeats were dropped, and never a row outside the window, whose time would move the query's bounds.
 */
function packPage(chunk: PackedChunk, records: readonly TraceRecord[], how: { window: TimeWindow; resume: ResumePoint | undefined; limits: { maxRecordBytes: number; maxBytes: number } }): PackedPage {
  const { window, resume } = how;
  const inWindow = records.map((record, at) => ({ record, at })).filter(({ record }) => isInside(record, window));
  const fresh = resume ? inWindow.filter(({ record }) => afterResumePoint([record], resume).length > 0) : inWindow;
  const { taken, tooLarge } = chunk.addWithin(fresh.map(({ record }) => record), how.limits);
  const cutAt = taken < fresh.length ? fresh[taken]!.at : records.length;
  return {
    records: taken - tooLarge.length,
    tooLarge: tooLarge.map((index) => fresh[index]!.record),
    outside: records.slice(0, cutAt).filter((record) => !isInside(record, window)),
    cutShort: cutAt < records.length,
    resumePoint: resumePointOf(inWindow.filter(({ at }) => at < cutAt).map(({ record }) => record)),
  };
}

/** Windows are half-open, [start, end): a row received at `end` belongs to the next window. */
function isInside(record: TraceRecord, window: TimeWindow): boolean {
  const ms = receivedTimeMs(record.receivedDateTime ?? record.Received);
  return ms !== undefined && ms >= window.startMs && ms < window.endMs;
}
