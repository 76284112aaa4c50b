import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BUDGET_SLACK_MS, budgetWaitMs, type ApiBudget } from '../../time-windows/index.js';

const budget: ApiBudget = { requests: 5, windowMs: 1_000, liveReserve: 2 };

describe('tenant API budget', () => {
  it('lets live calls use the whole budget and backfill only what the reserve leaves', () => {
    const calls = [0, 100, 200];
    assert.equal(budgetWaitMs(calls, 300, budget, 'live'), 0);
    assert.equal(budgetWaitMs(calls, 300, budget, 'backfill'), 701 + BUDGET_SLACK_MS, 'waits until the first call leaves the window');
  });

  it('never admits more calls in any rolling window than allowed, whatever the arrival pattern', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.boolean()), { maxLength: 60 }), (arrivals) => {
        let now = 0;
        const calls: number[] = [];
        for (const [gap, live] of arrivals) {
          now += gap;
          now += budgetWaitMs(calls, now, budget, live ? 'live' : 'backfill');
          calls.push(now);
          // Microsoft's own view: calls within its plain window, without our slack.
          assert.ok(calls.filter((c) => c > now - budget.windowMs).length <= budget.requests);
        }
      }),
    );
  });
});
