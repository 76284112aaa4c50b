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
      const future = await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(now - MIN), to: iso(now + 60 * MIN) }] }).catch((e: unknown) => e);
      assert.ok(future instanceof WorkflowUpdateFailedError, 'a range reaching into the future is refused');

      // paused, so both requests are pending together and must merge
      await handle.signal(pauseSignal, {});
      await f.waitForStatus(handle, (s) => s.phase === 'paused');
      const [from, to] = [start - 45 * MIN, start + 15 * MIN];
      const end = start + 20 * MIN;
      const accepted = await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(from), to: iso(to) }] });
      assert.deepEqual([accepted.from, accepted.to], [iso(from), iso(to)]);
      // an overlapping request merges instead of pulling the overlap twice
      const merged = await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(start - 30 * MIN), to: iso(start + 20 * MIN) }] });
      assert.deepEqual(merged.pending, [{ from: iso(from), to: iso(start + 20 * MIN) }]);
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
});
