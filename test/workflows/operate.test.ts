import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { alignDown, iso } from '../../time-windows/index.js';
import { backfillUpdate, pauseSignal, resumeSignal } from '../../workflows/messages.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';

const MIN = 60_000;

describe('operating the collector', () => {
  it('backfills a past range beside the live tail: the range arrives once more, nothing else repeats', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 60 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 3_000, startMs: start - 60 * MIN, endMs: now }) });
    await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start) });
      const caughtUp = await f.waitForStatus(handle, (s) => s.caughtUp);
      const liveCount = f.delivered().length;

      const refused = await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(now), to: iso(now - MIN) }] }).catch((e: unknown) => e);
      assert.ok(refused instanceof WorkflowUpdateFailedError, 'an inverted range is refused');
      assert.match((refused.cause as Error).message, /must be before/, 'with a message saying why');
      const future = await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(now - MIN), to: iso(now + 60 * MIN) }] }).catch((e: unknown) => e);
      assert.ok(future instanceof WorkflowUpdateFailedError, 'a range reaching into the future is refused');
      assert.match((future.cause as Error).message, /in the future/);

      // paused, so both requests are pending together and must merge
      await handle.signal(pauseSignal, {});
      await f.waitForStatus(handle, (s) => s.phase === 'paused');
      const [from, to] = [start - 45 * MIN, start + 15 * MIN];
      const end = start + 20 * MIN;
      const accepted = await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(from), to: iso(to) }] });
      assert.deepEqual([accepted.from, accepted.to], [iso(from), iso(to)]);
      // an overlapping request merges instead of pulling the overlap twice
      const merged = await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(start - 30 * MIN), to: iso(start + 20 * MIN) }] });
      const one = { from: iso(from), to: iso(start + 20 * MIN) };
      assert.deepEqual(merged.queue, { ranges: 1, first: one, last: one, totalMs: start + 20 * MIN - from });
      await handle.signal(resumeSignal);
      const done = await f.waitForStatus(handle, (s) => (s.backfill?.pending.length ?? 1) === 0);
      assert.equal(done.backfill?.progress, 1);
      await handle.terminate('test done');

      const backfilled = f.delivered().slice(liveCount);
      const expected = graphTruth(f.emulator, from, end);
      const account = accountFor(backfilled, expected);
      assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length], [0, 0, 0], summary(account));
      assert.equal(liveCount, graphTruth(f.emulator, start, Date.parse(caughtUp.cursor)).length);
    });
  });

  it('pause finishes the page in hand and then waits; resume carries on', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 60 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 3_000, startMs: start, endMs: now }) });
    await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start) });
      await handle.signal(pauseSignal, { reason: 'incident 42' });
      const paused = await f.waitForStatus(handle, (s) => s.phase === 'paused');
      assert.equal(paused.paused?.reason, 'incident 42');
      const frozen = f.delivered().length;
      const again = await f.waitForStatus(handle, (s) => s.phase === 'paused');
      assert.equal(again.cursor, paused.cursor);
      assert.equal(f.delivered().length, frozen, 'nothing is sent while paused');
      await handle.signal(resumeSignal);
      const caughtUp = await f.waitForStatus(handle, (s) => s.caughtUp && s.phase !== 'paused');
      assert.equal(caughtUp.paused, undefined);
      await handle.terminate('test done');
      const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(caughtUp.cursor)));
      assert.deepEqual([account.missing.length, account.duplicates], [0, 0], summary(account));
    });
  });

  it('keeps within the tenant budget: zero 429s when the emulator allows exactly the budget', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 40 * MIN, 5 * MIN);
    const quota = { requests: 8, windowMs: 4_000 };
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 3_000, startMs: start, endMs: now }), quota });
    const status = await f.collectUntilCaughtUp({ start: iso(start), pageSize: 100, budget: { ...quota, liveReserve: 2 } });
    const served = f.emulator.stats().requests;
    assert.ok(status.totals.apiCalls > 2 * quota.requests, `${status.totals.apiCalls} calls: the budget had to hold back`);
    assert.equal(served['graph 429'] ?? 0, 0, JSON.stringify(served));
    const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(status.cursor)));
    assert.deepEqual([account.missing.length, account.duplicates], [0, 0], summary(account));
  });

  it('a 3-day backfill runs while live windows continue: the live lag stays within one window plus the poll interval', async (t) => {
    const now = Date.now();
    const [windowMs, lagMs] = [3_000, 1_000];
    const liveStart = alignDown(now - 6_000, windowMs);
    const [from, to] = [now - 3 * 86_400_000, now - 3_600_000];
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 12_000, startMs: from, endMs: now + 600_000 }), quota: null });
    const { maxLag, status } = await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(liveStart), windowMs, lagMs, pageSize: 100, budget: { requests: 100_000, windowMs: 300_000, liveReserve: 10 } });
      await f.waitForStatus(handle, (s) => s.caughtUp);
      await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(from), to: iso(to) }] });
      let worst = 0;
      const done = await f.waitForStatus(handle, (s) => {
        if (s.backfill?.pending.length) worst = Math.max(worst, s.lagMs);
        return s.backfill?.pending.length === 0;
      });
      await handle.terminate('test done');
      return { maxLag: worst, status: done };
    });
    // caught up means within one window of now - lag; the status is polled every 250 ms
    assert.ok(maxLag <= lagMs + 2 * windowMs + 1_000, `live lag reached ${maxLag} ms during the backfill`);
    assert.ok(status.totals.pages > 100, `${status.totals.pages} pages: the backfill was long enough to interleave`);
    const backfilled = accountFor(
      f.delivered().filter((r) => Date.parse(String(r.receivedDateTime)) < to),
      graphTruth(f.emulator, from, to),
    );
    assert.deepEqual([backfilled.missing.length, backfilled.duplicates, backfilled.unexpected.length], [0, 0, 0], summary(backfilled));
  });
});
