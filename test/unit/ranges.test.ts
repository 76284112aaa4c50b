import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addRange, nextChunk, pendingMs, removeRange, type PendingRange } from '../../time-windows/index.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Ground truth: the set of covered hours, computed by brute force. */
function hours(pending: readonly PendingRange[]): Set<number> {
  const out = new Set<number>();
  for (const r of pending) for (let t = Date.parse(r.from); t < Date.parse(r.to); t += H) out.add(t);
  return out;
}

describe('backfill ranges', () => {
  it('merges overlapping and adjacent requests into one range', () => {
    let pending = addRange([], T0, T0 + 2 * H);
    pending = addRange(pending, T0 + 2 * H, T0 + 3 * H);
    pending = addRange(pending, T0 + H, T0 + 5 * H);
    assert.deepEqual(pending, [{ from: iso(T0), to: iso(T0 + 5 * H) }]);
    pending = addRange(pending, T0 + 7 * H, T0 + 8 * H);
    assert.equal(pending.length, 2);
  });

  it('removing a delivered chunk leaves exactly the rest, and chunks never exceed 10 days', () => {
    const pending = removeRange([{ from: iso(T0), to: iso(T0 + 30 * 24 * H) }], T0, T0 + 10 * 24 * H);
    assert.deepEqual(pending, [{ from: iso(T0 + 240 * H), to: iso(T0 + 720 * H) }]);
    const chunk = nextChunk(pending)!;
    assert.equal(chunk.endMs - chunk.startMs, 240 * H);
    assert.equal(nextChunk([]), undefined);
  });

  it('behaves as set union and difference over any sequence of operations', () => {
    const op = fc.record({ add: fc.boolean(), from: fc.integer({ min: 0, max: 40 }), len: fc.integer({ min: 1, max: 10 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        let pending: PendingRange[] = [];
        const truth = new Set<number>();
        for (const o of ops) {
          const [from, to] = [T0 + o.from * H, T0 + (o.from + o.len) * H];
          pending = o.add ? addRange(pending, from, to) : removeRange(pending, from, to);
          for (let t = from; t < to; t += H) {
            if (o.add) truth.add(t);
            else truth.delete(t);
          }
        }
        assert.deepEqual([...hours(pending)].sort(), [...truth].sort());
        assert.equal(pendingMs(pending), truth.size * H);
        for (let i = 1; i < pending.length; i++) assert.ok(Date.parse(pending[i]!.from) > Date.parse(pending[i - 1]!.to), 'disjoint, sorted, not adjacent');
      }),
    );
  });
});
