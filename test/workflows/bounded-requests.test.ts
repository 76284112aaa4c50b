import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { alignDown, iso, MAX_PENDING_RANGES } from '../../time-windows/index.js';
import { MAX_REASON_CHARS } from '../../workflows/caller-text.js';
import type { messageTraceCollector } from '../../workflows/index.js';
import { backfillSignal, backfillUpdate, pauseSignal } from '../../workflows/messages.js';
import type { CollectorSettings } from '../../workflows/state.js';
import { initialState } from '../../workflows/upgrade-state.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { settledDataset } from '../helpers/ground-truth.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('what callers can make a collector keep is bounded', () => {
  it('many tiny backfill requests and a huge pause reason leave a small state, and every reply is small', async (t) => {
    const now = Date.now();
    const cursor = alignDown(now - 2 * HOUR, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 50, startMs: cursor, endMs: now }) });
    const settings: CollectorSettings = { tenantId: f.tenantId, source: 'graph', windowMs: 5 * MIN, lagMs: 15 * MIN, pageSize: 500, blockedRetryMs: 1_000, errorRetryMs: 1_000 };
    // A collector whose cursor is already 2 hours back, so the day before it can be backfilled.
    const state = initialState(iso(cursor), now);
    const reason = `disk full\n\u001b[2J${'x'.repeat(100_000)}`;
    const report = await f.worker.runUntil(async () => {
      const handle = await f.env.client.workflow.start<typeof messageTraceCollector>('messageTraceCollector', {
        workflowId: `o365-message-trace/${f.tenantId}`,
        taskQueue: f.taskQueue,
        args: [{ settings, start: iso(cursor), state }],
      });
      await handle.signal(pauseSignal, { reason });
      await f.waitForStatus(handle, (s) => s.phase === 'paused');

      // 1-ms requests 10 minutes apart (two windows: they cannot merge), 50 more than the cap, then 20 that
      // fall within a window of one already pending, and merge.
      const first = cursor - 26 * HOUR;
      const disjoint = Array.from({ length: MAX_PENDING_RANGES + 50 }, (_, i) => first + i * 10 * MIN);
      const near = disjoint.slice(0, 20).map((ms) => ms + 2 * MIN);
      let accepted = 0;
      let largestReply = 0;
      const refusals = new Set<string>();
      for (const ms of [...disjoint, ...near]) {
        try {
          const reply = await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(ms), to: iso(ms + 1) }] });
          largestReply = Math.max(largestReply, JSON.stringify(reply).length);
          accepted++;
        } catch (err) {
          assert.ok(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure, String(err));
          refusals.add(`${err.cause.type}: ${err.cause.message}`);
        }
      }
      // The signal form drops what it cannot take, silently to the caller.
      for (let i = 0; i < 10; i++) await handle.signal(backfillSignal, { from: iso(cursor - 90 * MIN + i * 7 * MIN), to: iso(cursor - 90 * MIN + i * 7 * MIN + 1) });
      const status = await f.waitForStatus(handle, (s) => s.phase === 'paused');
      const history = await handle.fetchHistory();
      await handle.terminate('test done');
      return { status, accepted, largestReply, refusals: [...refusals], historyEvents: history.events?.length ?? 0 };
    });

    const { status } = report;
    t.diagnostic(`accepted ${report.accepted}, largest reply ${report.largestReply} bytes, status ${JSON.stringify(status).length} bytes, ${report.historyEvents} events`);
    assert.ok(status.paused?.reason !== undefined && Array.from(status.paused.reason).length <= MAX_REASON_CHARS, `the reason is cut: ${status.paused?.reason?.length} characters`);
    assert.ok(status.paused.reason.startsWith('disk full [2J'), status.paused.reason.slice(0, 20));
    assert.doesNotMatch(status.paused.reason, /\p{Cc}/u, 'no control characters');
    assert.equal(report.accepted, MAX_PENDING_RANGES + 20, 'the cap, plus the requests that merged');
    assert.equal(report.refusals.length, 1, report.refusals.join('\n'));
    assert.match(report.refusals[0]!, /^BackfillQueueFull: 100 backfill ranges are pending/);
    assert.ok(report.largestReply < 400, `a reply is a summary, not the list: ${report.largestReply} bytes`);
    assert.equal(status.backfill?.pending.length, MAX_PENDING_RANGES);
    assert.ok(JSON.stringify(status).length < 16_000, `the state status shows stays small: ${JSON.stringify(status).length} bytes`);
  });
});
