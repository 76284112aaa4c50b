import { log } from '@temporalio/activity';
import { pullGraphPage } from '../microsoft/graph.js';
import { pullReportingPage } from '../microsoft/reporting.js';
import { iso } from '../time-windows/index.js';
import type { ActivityDeps } from './deps.js';
import { withFailureTypes } from './failures.js';
import type { PulledPage, PullPageInput } from './types.js';

/**
 * Pulls exactly one page. The workflow follows the next links itself, so every page is a durable
 * checkpoint, and a retried attempt asks for the same page again (same URL, same result).
 */
export function pullPageActivity(deps: ActivityDeps) {
  return async function pullPage(input: PullPageInput): Promise<PulledPage> {
    return withFailureTypes(async () => {
      const ms = deps.microsoftFor(input.tenantId);
      const common = { window: input.window, pageSize: input.pageSize, accessToken: input.accessToken, nextLink: input.nextLink, signal: deps.signal() };
      const page =
        input.source === 'graph'
          ? await pullGraphPage({ ...common, graphUrl: ms.graphUrl })
          : await pullReportingPage({ ...common, reportingUrl: ms.reportingUrl });
      log.info('page pulled', {
        windowStart: iso(input.window.startMs),
        windowEnd: iso(input.window.endMs),
        page: input.page,
        records: page.records.length,
        more: page.nextLink !== undefined,
      });
      return page;
    });
  };
}
