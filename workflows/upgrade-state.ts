import { iso } from '../time-windows/index.js';
import type { CollectorState, RunProgress, RunState, WindowProgress } from './state.js';

/**
 * The one place that knows how older collectors wrote their state: counters added since (dead letters,
 * recovered links), the budget's call times, and the records counted per window all start at zero when
 * absent. Each run upgrades the state it is given once, at its start; everything after reads it as is.
 * Pure: the state given is not changed, so a replay upgrades the same input the same way.
 */
export function upgradeState(stored: CollectorState): RunState {
  const { totals, recentCalls, inProgress, backfill, ...rest } = stored;
  return {
    ...rest,
    totals: { ...totals, deadLettered: totals.deadLettered ?? 0, recoveredLinks: totals.recoveredLinks ?? 0 },
    recentCalls: recentCalls ?? [],
    ...(inProgress && { inProgress: upgradeProgress(inProgress) }),
    ...(backfill && { backfill: { pending: backfill.pending, deliveredMs: backfill.deliveredMs, ...(backfill.inProgress && { inProgress: upgradeProgress(backfill.inProgress) }) } }),
  };
}

function upgradeProgress(progress: WindowProgress): RunProgress {
  return { ...progress, records: progress.records ?? 0 };
}

/** A fresh collector's state, starting at `start` (ISO). */
export function initialState(start: string, nowMs: number): RunState {
  return upgradeState({
    cursor: start,
    totals: { records: 0, pages: 0, windows: 0, apiCalls: 0, tokenFetches: 0, resent: 0, oversize: 0 },
    startedAt: iso(nowMs),
  });
}
