import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { comparePrecise, formatTicksLocal, formatTicksUtc, formatVerboseDate, parsePreciseIso, startOfUtcDay } from '../../emulator/microsoft-365/time.js';

describe('emulator time at 100-ns precision', () => {
  it('formats seven fractional digits, with Z for Graph and without for RWS JSON light', () => {
    const ms = Date.parse('2026-11-24T10:30:00.123Z');
    assert.equal(formatTicksUtc(ms, 4567), '2026-11-24T10:30:00.1234567Z');
    assert.equal(formatTicksLocal(ms, 4567), '2026-11-24T10:30:00.1234567');
    assert.equal(formatTicksUtc(ms, 0), '2026-11-24T10:30:00.1230000Z');
    assert.equal(formatVerboseDate(1658751973240), '/Date(1658751973240)/');
  });

  it('reads back every time it prints, exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 9999 }), (ms, sub) => {
        assert.deepEqual(parsePreciseIso(formatTicksUtc(ms, sub)), { ms, sub });
        assert.deepEqual(parsePreciseIso(formatTicksLocal(ms, sub)), { ms, sub });
      }),
    );
  });

  it('accepts 0–7 fractional digits, Z, +00:00, other offsets and no zone (UTC)', () => {
    const base = Date.parse('2026-03-01T08:00:00Z');
    assert.deepEqual(parsePreciseIso('2026-03-01T08:00:00Z'), { ms: base, sub: 0 });
    assert.deepEqual(parsePreciseIso('2026-03-01T08:00'), { ms: base, sub: 0 });
    assert.deepEqual(parsePreciseIso('2026-03-01T08:00:00.5'), { ms: base + 500, sub: 0 });
    assert.deepEqual(parsePreciseIso('2026-03-01T08:00:00.0000001+00:00'), { ms: base, sub: 1 });
    assert.deepEqual(parsePreciseIso('2026-03-01T09:30:00+01:30'), { ms: base, sub: 0 });
    assert.deepEqual(parsePreciseIso('2026-03-01T08:00:00.123456'), { ms: base + 123, sub: 4560 });
  });

  it('refuses impossible dates, too many digits and, when asked, a missing zone', () => {
    for (const bad of ['2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:60:00Z', '2026-01-01', 'yesterday', '2026-01-01T00:00:00.12345678Z']) {
      assert.equal(parsePreciseIso(bad), undefined, bad);
    }
    assert.equal(parsePreciseIso('2026-01-01T00:00:00', { requireZone: true }), undefined);
    assert.deepEqual(parsePreciseIso('2026-01-01T00:00:00.123456789Z', { maxFractionDigits: 12 }), { ms: Date.parse('2026-01-01T00:00:00.123Z'), sub: 4567 });
  });

  it('orders by milliseconds, then ticks', () => {
    assert.ok(comparePrecise({ ms: 1, sub: 9999 }, { ms: 2, sub: 0 }) < 0);
    assert.ok(comparePrecise({ ms: 2, sub: 1 }, { ms: 2, sub: 0 }) > 0);
    assert.equal(comparePrecise({ ms: 2, sub: 3 }, { ms: 2, sub: 3 }), 0);
    assert.equal(startOfUtcDay(Date.parse('2026-03-01T23:59:59.999Z')), Date.parse('2026-03-01T00:00:00Z'));
  });
});
