import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDevServer } from '../../dev-server/start-dev-server.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';

const MIN = 60_000;

// A server of this file's own that suggests continue-as-new after 40 events (production: 4,096 events or
// 4 MB), so one window of many pages outgrows a run the way a busy tenant's 10-day backfill chunk would.
const server = await startDevServer({ dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 } });
process.env.TEMPORAL_ADDRESS = server.address;
after(() => server.stop());

describe('a window longer than one run', () => {
  it('continues as new between the pages of a window: every record once, no extra API call, the window counted once', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 30 * MIN, 10 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 3_000, startMs: start, endMs: now }) });
    // Pages of 40 (75 calls, within the default budget of 90 per 5 minutes) make about ten chunks per window.
    const caughtUp = await f.collectUntilCaughtUp({ start: iso(start), windowMs: 10 * MIN, lagMs: 10 * MIN, pageSize: 40 });

    const expected = graphTruth(f.emulator, start, Date.parse(caughtUp.cursor));
    const account = accountFor(f.delivered(), expected);
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length], [0, 0, 0], summary(account));
    assert.ok(caughtUp.totals.pages >= 10, `one window of many pages (${caughtUp.totals.pages} pages)`);
    assert.equal(caughtUp.totals.windows, Math.round((Date.parse(caughtUp.cursor) - start) / (10 * MIN)));
    assert.equal(caughtUp.totals.apiCalls, f.emulator.stats().requests['graph 200'], 'no page pulled twice across runs');

    const runs: string[] = [];
    for await (const execution of f.env.client.workflow.list({ query: `WorkflowId = 'o365-message-trace/${f.tenantId}'` })) runs.push(execution.runId);
    // continuing as new only between windows would give at most one run per window, plus the last
    assert.ok(runs.length > caughtUp.totals.windows + 1, `${runs.length} runs for ${caughtUp.totals.windows} windows: windows stopped between pages to continue as new`);
  });
});
