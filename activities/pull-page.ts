import { randomUUID } from 'node:crypto';
import { activityInfo, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { pullGraphPage } from '../microsoft/graph.js';
import type { TracePage } from '../microsoft/records.js';
import { pullReportingPage } from '../microsoft/reporting.js';
import { afterResumePoint, resumePointOf } from '../microsoft/resume-point.js';
import { iso } from '../time-windows/index.js';
import type { ActivityDeps } from './deps.js';
import { PackedChunk, type PackedRecords } from './packed-records.js';
import { toApplicationFailure, withFailureTypes } from './failures.js';
import { whileHeartbeating } from './heartbeats.js';
import type { PulledPage, PullPageInput } from './types.js';

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
 * Pulls one page, or up to `maxPages` by following next links while the packed chunk stays small: every
 * chunk is a durable checkpoint, and a retried attempt asks for the same first page again (same URL, same
 * result). Several pages per activity spread Temporal's cost per activity over more records. A later page
 * that fails ends the chunk early with what was pulled: the next pull meets that failure on its first
 * page, where the workflow's handling of it applies, and no page already pulled is asked for again.
 */
export function pullPageActivity(deps: ActivityDeps) {
  return async function pullPage(input: PullPageInput): Promise<PulledPage & { packed: PackedRecords }> {
    return withFailureTypes(() => whileHeartbeating(async () => {
      const ms = deps.microsoftFor(input.tenantId);
      const maxPages = input.maxPages ?? 1;
      const chunk = new PackedChunk();
      let nextLink = input.nextLink;
      let resume = nextLink === undefined ? input.resumeAfter : undefined;
      let resumePoint = resume;
      let pages = 0;
      let endedBy: string | undefined;
      let deadLettered = 0;
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
        const records = resume ? afterResumePoint(pulled.records, resume) : pulled.records;
        if (pulled.unparseable.length > 0) {
          // One odd row must not stop the tenant's collection: it is kept by hand, the rest goes on.
          await deps.deadLetter(pulled.unparseable, { tenantId: input.tenantId, reason: 'unparseable', window: input.window, page });
          log.warn('rows that are not message trace records went to the dead-letter file', { page, count: pulled.unparseable.length });
          deadLettered += pulled.unparseable.length;
        }
        chunk.add(records);
        pages++;
        // The resume point follows the rows as Microsoft sent them, even when the repeats were dropped.
        resumePoint = resumePointOf(pulled.records) ?? resumePoint;
        nextLink = pulled.nextLink;
        log.info('page pulled', {
          windowStart: iso(input.window.startMs),
          windowEnd: iso(input.window.endMs),
          page,
          records: records.length,
          ...(pulled.unparseable.length > 0 ? { deadLettered: pulled.unparseable.length } : {}),
          more: nextLink !== undefined,
          ...(resume ? { resumedAfter: resume.received } : {}),
        });
        resume = undefined;
        if (!nextLink || pages >= maxPages || chunk.bytes + chunk.lastPageBytes > MAX_CHUNK_BYTES) break;
      }
      const packed = { ...chunk.finish(), chunkId: randomUUID() };
      deps.pulledChunks?.remember(packed);
      return { packed, activityId: activityInfo().activityId, nextLink, resumePoint, ...(pages > 1 ? { pages } : {}), ...(endedBy ? { endedBy } : {}), ...(deadLettered > 0 ? { deadLettered } : {}) };
    }), deps);
  };
}
