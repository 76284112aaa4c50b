import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { graphTruth, reportingProjection, reportingTruth, settledDataset } from '../helpers/ground-truth.js';

const MIN = 60_000;

describe('messageTraceCollector on a real Temporal dev server', () => {
  it('collects two hours from Graph: every (id, recipient) arrives exactly once, unchanged, and the cursor reaches now - lag', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 120 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 30_000, startMs: start - 10 * MIN, endMs: now }) });
    const { status, history } = await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start) });
      const caughtUp = await f.waitForStatus(handle, (s) => s.caughtUp);
      await handle.terminate('test done');
      return { status: caughtUp, history: historyToJSON(await handle.fetchHistory()) };
    });
    const cursorMs = Date.parse(status.cursor);
    assert.ok(cursorMs >= now - 15 * MIN - 5 * MIN, `cursor ${status.cursor} within one window of now - lag`);
    const expected = graphTruth(f.emulator, start, cursorMs);
    assert.ok(expected.length >= 20_000, `${expected.length} records in range`);
    const account = accountFor(f.delivered(), expected);
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length, account.altered.length], [0, 0, 0, 0], summary(account));
    assert.equal(status.totals.records, expected.length, 'status agrees with the ground truth');
    assert.equal(status.lastError, undefined);

    // The full history, as anyone with access to Temporal sees it: nothing secret or personal in clear.
    assert.ok(!history.includes(f.config.microsoft.clientSecret), 'no client secret');
    assert.doesNotMatch(history, /accessToken|access_token|Bearer /, 'no token');
    assert.doesNotMatch(history, /[\w.+-]+@[\w-]+\.[a-z]{2,}/i, 'no e-mail address');
    const subjects = [...new Set(expected.map((r) => String(r.subject)))].filter((subject) => subject.length >= 12).slice(0, 50);
    assert.ok(subjects.length > 10 && subjects.every((subject) => !history.includes(subject)), 'no subject');
    assert.ok(status.tokenExpiresAt, 'a token was used');
  });

  it('collects from the Reporting Web Service just the same', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 120 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 30_000, startMs: start - 10 * MIN, endMs: now }) }, 'reporting');
    const status = await f.collectUntilCaughtUp({ start: iso(start) });
    const expected = reportingTruth(f.emulator, start, Date.parse(status.cursor));
    assert.ok(expected.length >= 20_000, `${expected.length} records in range`);
    const account = accountFor(f.delivered(), expected, reportingProjection);
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length, account.altered.length], [0, 0, 0, 0], summary(account));
  });

  it('continues as new every 2 windows without losing or repeating a record', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 60 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 6_000, startMs: start, endMs: now, edgeRowsEveryMs: 5 * MIN }) });
    const { status, runs } = await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start), testContinueAsNewEveryWindows: 2 });
      await f.waitForStatus(handle, (s) => s.caughtUp);
      const latest = f.env.client.workflow.getHandle(handle.workflowId);
      const caughtUp = await f.waitForStatus(latest, (s) => s.caughtUp);
      const runIds = new Set<string>();
      for await (const execution of f.env.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runIds.add(execution.runId);
      await latest.terminate('test done');
      return { status: caughtUp, runs: runIds.size };
    });
    const expected = graphTruth(f.emulator, start, Date.parse(status.cursor));
    assert.ok(runs >= 4, `${runs} runs (one per 2 windows)`);
    assert.ok(expected.some((r) => /:[0-5][05]:00\.0000000Z$/.test(String(r.receivedDateTime))), 'the dataset has rows exactly on window edges');
    const account = accountFor(f.delivered(), expected);
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length], [0, 0, 0], summary(account));
  });
});
