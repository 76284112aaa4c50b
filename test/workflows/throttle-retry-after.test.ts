import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatStatus, getStatus, statusLine, type StatusReport } from '../../client/status.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';
import { waitUntil } from '../helpers/wait-until.js';

const MIN = 60_000;
const TEN_YEARS_S = 315_360_000;
/** The worker's Retry-After cap, lowered from 5 minutes so the test sees the retry come. */
const CAP_MS = 4_000;

describe('a huge Retry-After', () => {
  it('is honoured only up to the cap, shows as Throttled with the asked value in status, and every record arrives', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 30 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 600, startMs: start, endMs: now }) }, 'graph', { maxRetryAfterMs: CAP_MS });
    // Two 429s in a row, each asking for ten years: the second keeps the retry pending long enough to be seen.
    f.emulator.faults.add({ target: 'graph', kind: 'throttle', retryAfterSeconds: TEN_YEARS_S, count: 2, skipRequests: 1 });
    const caughtUp = await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start), pageSize: 200 });
      const throttled = await waitUntil(async () => {
        const report = await getStatus(f.env.client, f.tenantId);
        const seen = report.retrying?.some((r) => r.failureType === 'Throttled') || report.lastError?.type === 'Throttled';
        return seen ? report : undefined;
      }, { timeoutMs: 120_000, intervalMs: 200, what: 'a throttled retry in status' });
      const shown: StatusReport['throttled'] = throttled.throttled;
      assert.ok(shown, `status shows Throttled: ${formatStatus(throttled).join('\n')}`);
      assert.equal(shown.askedSeconds, TEN_YEARS_S, JSON.stringify(shown));
      assert.ok(shown.retryInMs !== undefined && shown.retryInMs <= CAP_MS, `the next attempt is within the cap: ${JSON.stringify(shown)}`);
      assert.ok(formatStatus(throttled).some((l) => l.startsWith(`throttled: Microsoft asked ${TEN_YEARS_S} s (Retry-After), retrying in `)), formatStatus(throttled).join('\n'));
      assert.match(statusLine(throttled), /\| Throttled: Microsoft asked 315360000 s/);
      assert.match(JSON.stringify(throttled), /"askedSeconds":315360000/, '--json carries it too');
      const caughtUp = await f.waitForStatus(handle, (s) => s.caughtUp);
      await handle.terminate('test done');
      return caughtUp;
    });

    assert.equal(f.emulator.stats().requests['graph 429'], 2);
    assert.equal(f.emulator.faults.pending().length, 0);
    const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(caughtUp.cursor)));
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length], [0, 0, 0], summary(account));
  });
});
