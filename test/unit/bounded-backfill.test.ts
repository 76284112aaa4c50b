import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApplicationFailure } from '@temporalio/common';
import { addRange, MAX_PENDING_RANGES, summarisePending, type PendingRange } from '../../time-windows/index.js';
import { validateBackfill } from '../../workflows/backfill.js';
import { callerText, MAX_REASON_CHARS } from '../../workflows/caller-text.js';
import type { CollectorSettings } from '../../workflows/state.js';
import { initialState } from '../../workflows/upgrade-state.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const spans = (pending: readonly PendingRange[]) => pending.map((r) => [Date.parse(r.from), Date.parse(r.to)] as const);

describe('pending backfill ranges merge across small gaps', () => {
  it('ranges closer than the gap merge, gap included; farther ones stay apart', () => {
    let pending = addRange([], T0, T0 + 1, 5 * MIN);
    pending = addRange(pending, T0 + 5 * MIN, T0 + 5 * MIN + 1, 5 * MIN);
    assert.deepEqual(pending, [{ from: iso(T0), to: iso(T0 + 5 * MIN + 1) }]);
    pending = addRange(pending, T0 + 11 * MIN, T0 + 12 * MIN, 5 * MIN);
    assert.equal(pending.length, 2);
    // a later request bridging both joins all three
    pending = addRange(pending, T0 + 8 * MIN, T0 + 9 * MIN, 5 * MIN);
    assert.deepEqual(pending, [{ from: iso(T0), to: iso(T0 + 12 * MIN) }]);
  });

  it('any requests: sorted, gaps wider than the merge gap, every requested ms covered, every range from requested edges', () => {
    const request = fc.tuple(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 1, max: 50 })).map(([from, len]) => [T0 + from * 1000, T0 + (from + len) * 1000] as const);
    fc.assert(
      fc.property(fc.array(request, { maxLength: 60 }), fc.integer({ min: 0, max: 100_000 }), (requests, gap) => {
        let pending: PendingRange[] = [];
        for (const [from, to] of requests) pending = addRange(pending, from, to, gap);
        const out = spans(pending);
        for (let i = 1; i < out.length; i++) assert.ok(out[i]![0] - out[i - 1]![1] > gap, 'sorted, apart by more than the gap');
        for (const [from, to] of requests) assert.ok(out.some(([f, t]) => f <= from && to <= t), 'each request inside one range');
        for (const [f, t] of out) {
          assert.ok(requests.some(([from]) => from === f) && requests.some(([, to]) => to === t), 'edges are requested edges');
        }
        const summary = summarisePending(pending);
        assert.equal(summary.ranges, out.length);
        assert.equal(summary.totalMs, out.reduce((sum, [f, t]) => sum + t - f, 0));
      }),
    );
  });

  it('a gap of 0 merges exactly the touching or overlapping ranges, as before', () => {
    const pending = addRange(addRange(addRange([], T0, T0 + 10), T0 + 10, T0 + 20), T0 + 21, T0 + 30);
    assert.deepEqual(spans(pending), [[T0, T0 + 20], [T0 + 21, T0 + 30]]);
  });
});

describe('backfill requests are capped', () => {
  const settings: CollectorSettings = { tenantId: 't', source: 'graph', windowMs: 5 * MIN, lagMs: 15 * MIN, pageSize: 500 };
  const now = T0 + 30 * 24 * 60 * MIN;
  const state = { ...initialState(iso(now - 24 * 60 * MIN), now), backfill: { pending: [] as PendingRange[], deliveredMs: 0 } };

  it(`takes ${MAX_PENDING_RANGES} disjoint ranges, then refuses with BackfillQueueFull; requests that merge still fit`, () => {
    const request = (i: number) => ({ from: iso(now - 2 * 24 * 60 * MIN + i * 10 * MIN), to: iso(now - 2 * 24 * 60 * MIN + i * 10 * MIN + 1) });
    for (let i = 0; i < MAX_PENDING_RANGES; i++) {
      const { fromMs, toMs } = validateBackfill(request(i), settings, state, now);
      state.backfill.pending = addRange(state.backfill.pending, fromMs, toMs, settings.windowMs);
    }
    assert.equal(state.backfill.pending.length, MAX_PENDING_RANGES);
    const refused = (() => {
      try {
        validateBackfill(request(MAX_PENDING_RANGES), settings, state, now);
      } catch (err) {
        return err;
      }
    })();
    assert.ok(refused instanceof ApplicationFailure && refused.type === 'BackfillQueueFull' && refused.nonRetryable, String(refused));
    assert.match(refused.message, /one range covering the others/);
    // one ms after a pending range is within a window of it: it merges, so it is taken
    const near = Date.parse(request(3).to) + 1;
    assert.doesNotThrow(() => validateBackfill({ from: iso(near), to: iso(near + 1) }, settings, state, now));
    // the unpatched path of an old history takes it still
    assert.doesNotThrow(() => validateBackfill(request(MAX_PENDING_RANGES), settings, state, now, false));
  });
});

describe('a caller-given reason is kept short and printable', () => {
  it('cuts 100,000 characters to the limit and turns control characters into spaces', () => {
    const kept = callerText(`line one\n\u0007\u001b[31mred\u202e${'x'.repeat(100_000)}`);
    assert.ok(kept !== undefined && Array.from(kept).length === MAX_REASON_CHARS, String(kept?.length));
    assert.ok(kept.startsWith('line one [31mred x'), kept.slice(0, 30));
    assert.ok(kept.endsWith('…'));
    assert.doesNotMatch(kept, /\p{Cc}/u);
  });

  it('keeps a short reason as it is, and drops what is not text', () => {
    assert.equal(callerText('maintenance window'), 'maintenance window');
    assert.equal(callerText(42), undefined);
    assert.equal(callerText(' \n '), undefined);
    assert.equal(Array.from(callerText('😀'.repeat(300))!).length, MAX_REASON_CHARS, 'cut by code point, no half surrogate');
  });
});
