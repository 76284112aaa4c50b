import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normaliseReceived } from '../../microsoft/received-time.js';
import { filterBounds } from '../../time-windows/index.js';
import { RUNS } from './hostile.js';

const MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const window = fc.tuple(fc.integer({ min: 0, max: MAX - 1 }), fc.integer({ min: 1, max: 10 * 86_400_000 })).map(([startMs, span]) => ({ startMs, endMs: Math.min(MAX, startMs + span) }));
/** A row time at 100-ns precision, as Microsoft writes it: milliseconds plus four more digits. */
const tick = fc.tuple(fc.integer({ min: 0, max: MAX }), fc.stringMatching(/^\d{4}$/));

describe('filter bounds of a half-open window', () => {
  it('are 7-digit UTC times that bracket exactly the ticks of [start, end): a row on an edge is in one window only', () => {
    fc.assert(
      fc.property(window, tick, ({ startMs, endMs }, [ms, subMs]) => {
        const { from, to } = filterBounds({ startMs, endMs });
        for (const bound of [from, to]) assert.equal(normaliseReceived(bound), bound, 'in the form Microsoft compares');
        const row = `${new Date(ms).toISOString().slice(0, 23)}${subMs}Z`;
        // Fixed-width ISO text orders like time, which is how the inclusive ge/le filters compare.
        const inFilter = from <= row && row <= to;
        assert.equal(inFilter, ms >= startMs && ms < endMs, `${row} against ${from}..${to}`);
      }),
      { numRuns: RUNS.pure * 3 },
    );
  });

  it('adjacent windows share no tick and leave none out', () => {
    fc.assert(
      fc.property(window, fc.integer({ min: 1, max: 86_400_000 }), ({ startMs, endMs }, span) => {
        fc.pre(endMs + span <= MAX);
        const first = filterBounds({ startMs, endMs });
        const second = filterBounds({ startMs: endMs, endMs: endMs + span });
        assert.ok(first.to < second.from);
        // the last tick before the edge and the first at it: 100 ns apart (one millisecond at Date.parse's precision)
        assert.equal(Date.parse(second.from) - Date.parse(first.to), 1);
        assert.ok(first.to.endsWith('9999Z') && second.from.endsWith('0000Z'));
      }),
      { numRuns: RUNS.pure },
    );
  });
});
