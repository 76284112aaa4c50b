import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { alignDown, clampToRetention, filterBounds, isCaughtUp, msUntilDue, nextWindow, MAX_QUERY_SPAN_MS } from '../../time-windows/index.js';

const MIN = 60_000;
const settings = { windowMs: 5 * MIN, lagMs: 15 * MIN };

describe('window arithmetic', () => {
  it('gives a full window once its end is before now - lag, and none before', () => {
    const cursor = Date.parse('2026-11-24T10:00:00Z');
    assert.deepEqual(nextWindow(cursor, cursor + 20 * MIN, settings), { startMs: cursor, endMs: cursor + 5 * MIN });
    assert.equal(nextWindow(cursor, cursor + 20 * MIN - 1, settings), undefined);
    assert.equal(msUntilDue(cursor, cursor + 19 * MIN, settings), MIN);
    assert.equal(isCaughtUp(cursor, cursor + 19 * MIN, settings), true);
  });

  it('never spans more than the 10-day query limit', () => {
    const w = nextWindow(0, 100 * 86_400_000, { windowMs: 30 * 86_400_000, lagMs: 0 });
    assert.equal(w!.endMs - w!.startMs, MAX_QUERY_SPAN_MS);
  });

  it('consecutive windows tile time: every instant belongs to exactly one window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3_600_000 }), fc.integer({ min: 0, max: 2e12 }), fc.integer({ min: 1, max: 50 }), (windowMs, start, count) => {
        let cursor = start;
        const now = start + windowMs * (count + 1);
        for (let i = 0; i < count; i++) {
          const w = nextWindow(cursor, now, { windowMs, lagMs: 0 })!;
          assert.equal(w.startMs, cursor);
          cursor = w.endMs;
        }
        assert.equal(cursor, start + windowMs * count);
      }),
    );
  });

  it('formats inclusive filter bounds that stop one 100-ns tick before the window end', () => {
    const w = { startMs: Date.parse('2026-11-24T10:00:00Z'), endMs: Date.parse('2026-11-24T10:05:00Z') };
    assert.deepEqual(filterBounds(w), { from: '2026-11-24T10:00:00.0000000Z', to: '2026-11-24T10:04:59.9999999Z' });
  });

  it('clamps starts beyond retention, counting Graph days from midnight UTC', () => {
    const now = Date.parse('2026-11-24T15:30:00Z');
    const graph = clampToRetention(now - 100 * 86_400_000, now, 'graph', 3_600_000);
    assert.equal(graph.clamped, true);
    assert.equal(new Date(graph.startMs).toISOString(), '2026-08-26T01:00:00.000Z');
    const rws = clampToRetention(now - 11 * 86_400_000, now, 'reporting', 3_600_000);
    assert.equal(new Date(rws.startMs).toISOString(), '2026-11-14T16:30:00.000Z');
    assert.deepEqual(clampToRetention(now - 3_600_000, now, 'graph', 0), { startMs: now - 3_600_000, clamped: false });
  });

  it('aligns down to the window', () => {
    assert.equal(alignDown(Date.parse('2026-11-24T10:07:31Z'), 5 * MIN), Date.parse('2026-11-24T10:05:00Z'));
  });
});
