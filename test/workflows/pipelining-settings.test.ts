import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { alignDown, iso } from '../../time-windows/index.js';
import { settingsUpdate } from '../../workflows/messages.js';
import { MAX_PAGES_PER_PULL } from '../../workflows/window-pipeline.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';
import { activityOverlap, largestSendInput } from '../helpers/history-shape.js';

const MIN = 60_000;

describe('pipelined chunks of pages and settings changes', () => {
  it('pulls the next chunk of pages while one is sent: sends stay one at a time, every record once, no extra API call', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 75 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 8_000, startMs: start, endMs: now }) });
    const caughtUp = await f.collectUntilCaughtUp({ start: iso(start), pageSize: 100 });

    const expected = graphTruth(f.emulator, start, Date.parse(caughtUp.cursor));
    const account = accountFor(f.delivered(), expected);
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length, account.altered.length], [0, 0, 0, 0], summary(account));

    const history = await f.env.client.workflow.getHandle(`o365-message-trace/${f.tenantId}`).fetchHistory();
    const overlap = activityOverlap(history);
    const { pages, windows } = caughtUp.totals;
    // Pages of 100 pack far below the chunk's byte limit, so each pull takes up to MAX_PAGES_PER_PULL of them.
    assert.ok(overlap.pulls >= Math.ceil(pages / MAX_PAGES_PER_PULL) && overlap.pulls <= Math.ceil(pages / MAX_PAGES_PER_PULL) + windows, `${overlap.pulls} pulls for ${pages} pages in ${windows} windows`);
    assert.equal(overlap.sends, overlap.pulls, 'one send per chunk');
    assert.ok(overlap.pulls - windows > 10, `the dataset gives windows of several chunks (${overlap.pulls} pulls, ${windows} windows)`);
    // every chunk after a window's first is pulled while the one before it is being sent
    assert.equal(overlap.pullsBesideSends, overlap.pulls - windows, JSON.stringify(overlap));
    assert.equal(overlap.sendsBesideSends, 0, 'sends never overlap, so pages reach Devo in order');
    // A chunk enters history once, as its pull's result: the send only names that pull.
    assert.ok(largestSendInput(history) < 2_000, `a send's input of ${largestSendInput(history)} bytes`);
    const served = f.emulator.stats().requests['graph 200'] ?? 0;
    assert.equal(caughtUp.totals.apiCalls, served, 'booked calls not made are given back: one call per page served');
    assert.equal(served, pages);
  });

  it("a send whose chunk the worker no longer holds reads it from its pull's result in history: every record once, no call again", async (t) => {
    const now = Date.now();
    const start = alignDown(now - 60 * MIN, 5 * MIN);
    // No chunk kept in the worker's memory: as for a send that lands on another worker, or after a restart.
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 6_000, startMs: start, endMs: now }) }, 'graph', { pulledChunks: undefined });
    const caughtUp = await f.collectUntilCaughtUp({ start: iso(start), pageSize: 100 });

    const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(caughtUp.cursor)));
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length, account.altered.length], [0, 0, 0, 0], summary(account));
    assert.ok(account.expected > 3_000, `${account.expected} records expected`);
    const history = await f.env.client.workflow.getHandle(`o365-message-trace/${f.tenantId}`).fetchHistory();
    const { sends } = activityOverlap(history);
    assert.ok(sends > 10, `${sends} sends, each naming its pull`);
    assert.ok(largestSendInput(history) < 2_000, `a send's input of ${largestSendInput(history)} bytes`);
    assert.equal(f.emulator.stats().requests['graph 200'] ?? 0, caughtUp.totals.pages, 'no page asked for twice');
  });

  it('a page that fails inside a chunk ends the chunk early: no page is pulled twice and every call is booked', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 30 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 3_000, startMs: start, endMs: now }) });
    // the third and the ninth Graph request: each a later page of a chunk
    f.emulator.faults.add({ target: 'graph', kind: 'unavailable', skipRequests: 2 });
    f.emulator.faults.add({ target: 'graph', kind: 'server-error', skipRequests: 5 });
    const caughtUp = await f.collectUntilCaughtUp({ start: iso(start), pageSize: 40 });
    assert.equal(f.emulator.faults.pending().length, 0, 'both faults were served');
    const served = f.emulator.stats().requests;
    assert.equal(served['graph 200'], caughtUp.totals.pages, `no page was pulled twice: ${JSON.stringify(served)}`);
    assert.equal(caughtUp.totals.apiCalls, (served['graph 200'] ?? 0) + (served['graph 503'] ?? 0) + (served['graph 500'] ?? 0), 'the failed calls count against the budget too');
    const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(caughtUp.cursor)));
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length, account.altered.length], [0, 0, 0, 0], summary(account));
  });

  it('updateSettings changes window, lag and page size of a running collector; a bad change is refused', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 90 * MIN, 10 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 4_000, startMs: start, endMs: now }) });
    await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start), windowMs: 5 * MIN, lagMs: 30 * MIN, pageSize: 100 });
      const first = await f.waitForStatus(handle, (s) => s.caughtUp);
      assert.deepEqual(first.settings, { windowMs: 5 * MIN, lagMs: 30 * MIN, pageSize: 100 });

      const refused = await handle.executeUpdate(settingsUpdate, { args: [{ pageSize: 9_000, lagMs: -1 }] }).catch((e: unknown) => e);
      assert.ok(refused instanceof WorkflowUpdateFailedError, 'an impossible change is refused');
      assert.match((refused.cause as Error).message, /lagMs must be a whole number of ms, 0 or more; pageSize must be from 1 to 5000 for graph/);

      const now2 = await handle.executeUpdate(settingsUpdate, { args: [{ windowMs: 10 * MIN, lagMs: 15 * MIN, pageSize: 1_000 }] });
      assert.deepEqual([now2.windowMs, now2.lagMs, now2.pageSize], [10 * MIN, 15 * MIN, 1_000]);
      const pagesBefore = first.totals.pages;
      const windowsBefore = first.totals.windows;
      const after = await f.waitForStatus(handle, (s) => s.caughtUp && Date.parse(s.cursor) > Date.parse(first.cursor));
      await handle.terminate('test done');

      assert.deepEqual(after.settings, { windowMs: 10 * MIN, lagMs: 15 * MIN, pageSize: 1_000 });
      // the new lag lets the cursor run on, in the new window length
      const newWindows = after.totals.windows - windowsBefore;
      assert.equal(Date.parse(after.cursor) - Date.parse(first.cursor), newWindows * 10 * MIN, 'windows after the change are 10 minutes long');
      assert.equal(after.totals.pages - pagesBefore, newWindows, 'pages of 1,000 hold a whole 10-minute window each');
      const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(after.cursor)));
      assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length], [0, 0, 0], summary(account));
    });
  });
});
