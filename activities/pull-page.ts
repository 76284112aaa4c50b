import { log } from '@temporalio/activity';
import { pullGraphPage } from '../microsoft/graph.js';
import { pullReportingPage } from '../microsoft/reporting.js';
import { afterResumePoint, resumePointOf } from '../microsoft/resume-point.js';
import { iso } from '../time-windows/index.js';
import type { ActivityDeps } from './deps.js';
import { packRecords, type PackedRecords } from './packed-records.js';
import { withFailureTypes } from './failures.js';
import { whileHeartbeating } from './heartbeats.js';
import type { PulledPage, PullPageInput } from './types.js';

/**
 * Pulls exactly one page. The workflow follows the next links itself, so every page is a durable
 * checkpoint, and a retried attempt asks for the same page again (same URL, same result).
 */
export function pullPageActivity(deps: ActivityDeps) {
  return async function pullPage(input: PullPageInput): Promise<PulledPage & { packed: PackedRecords }> {
    return withFailureTypes(() => whileHeartbeating(async () => {
      const ms = deps.microsoftFor(input.tenantId);
      const resume = input.nextLink === undefined ? input.resumeAfter : undefined;
      const common = { window: input.window, pageSize: input.pageSize, accessToken: input.accessToken, nextLink: input.nextLink, upTo: resume?.received, signal: deps.signal() };
      const pulled =
        input.source === 'graph'
          ? await pullGraphPage({ ...common, baseUrl: ms.graphUrl })
          : await pullReportingPage({ ...common, baseUrl: ms.reportingUrl });
      const records = resume ? afterResumePoint(pulled.records, resume) : pulled.records;
      const deadLettered = pulled.unparseable.length;
      if (deadLettered > 0) {
        // One odd row must not stop the tenant's collection: it is kept by hand, the rest goes on.
        await deps.deadLetter(pulled.unparseable, { tenantId: input.tenantId, reason: 'unparseable', window: input.window, page: input.page });
        log.warn('rows that are not message trace records went to the dead-letter file', { page: input.page, count: deadLettered });
      }
      // The resume point follows the rows as Microsoft sent them, even when the repeats were dropped.
      const page = { packed: packRecords(records), nextLink: pulled.nextLink, resumePoint: resumePointOf(pulled.records) ?? resume, ...(deadLettered > 0 ? { deadLettered } : {}) };
      log.info('page pulled', {
        windowStart: iso(input.window.startMs),
        windowEnd: iso(input.window.endMs),
        page: input.page,
        records: records.length,
        ...(deadLettered > 0 ? { deadLettered } : {}),
        more: page.nextLink !== undefined,
        ...(resume ? { resumedAfter: resume.received } : {}),
      });
      return page;
    }));
  };
}
