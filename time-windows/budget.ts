/**
 * The tenant's Microsoft API budget, pure: Microsoft allows 100 message trace requests per rolling
 * 5 minutes per tenant, shared with every other tool and admin (docs/sources.md#graph-throttling). The collector keeps its
 * own calls under a lower budget and reserves part of it for the live tail, so a backfill never starves it.
 */

/** A rolling-window request budget. */
export interface ApiBudget {
  /** Requests allowed per window @default 90 */
  readonly requests: number;
  /** The rolling window @default 5 minutes */
  readonly windowMs: number;
  /** Requests kept back for live windows; backfill may use only requests - reserve @default 10 */
  readonly liveReserve: number;
}

export const DEFAULT_BUDGET: ApiBudget = { requests: 90, windowMs: 300_000, liveReserve: 10 };

/**
 * Calls are booked when the workflow decides on them; the request leaves a little later, when a worker
 * runs the activity. This slack keeps that delay from ever squeezing two calls into Microsoft's window.
 */
export const BUDGET_SLACK_MS = 1_000;

/** The call times still inside the window (plus slack) at `nowMs`. */
export function recentCalls(calls: readonly number[], nowMs: number, budget: ApiBudget): number[] {
  return calls.filter((t) => t > nowMs - budget.windowMs - BUDGET_SLACK_MS);
}

/**
 * How long a caller must wait before its next request fits the budget: 0 when it fits now, otherwise
 * until enough old calls leave the window. Backfill calls must also leave the live reserve untouched.
 */
export function budgetWaitMs(calls: readonly number[], nowMs: number, budget: ApiBudget, lane: 'live' | 'backfill'): number {
  const recent = recentCalls(calls, nowMs, budget).sort((a, b) => a - b);
  const limit = lane === 'live' ? budget.requests : Math.max(1, budget.requests - budget.liveReserve);
  if (recent.length < limit) return 0;
  const mustExpire = recent[recent.length - limit]!;
  return mustExpire + budget.windowMs + BUDGET_SLACK_MS - nowMs + 1;
}
