import { metricMeter } from '@temporalio/workflow';
import { SERIES, type SeriesKey } from '../metrics/series.js';
import { pendingMs, recentCalls } from '../time-windows/index.js';
import { describeCredential, withDefaults, type CollectorSettings, type CollectorState } from './state.js';
import { upgradeState } from './upgrade-state.js';

type ProgressGauge = Extract<SeriesKey, 'cursor' | 'lag' | 'budgetUsed' | 'budgetLimit' | 'backfillPending' | 'needsOperator'>;

/** The workflow's progress as gauge values, from its state at `nowMs`. Pure, for tests. */
export function progressGauges(settings: CollectorSettings, state: CollectorState, nowMs: number): Record<ProgressGauge, number> {
  const cursorMs = Date.parse(state.cursor);
  const { budget } = withDefaults(settings);
  return {
    cursor: Math.floor(cursorMs / 1000),
    lag: Math.max(0, Math.floor((nowMs - cursorMs) / 1000)),
    budgetUsed: recentCalls(upgradeState(state).recentCalls, nowMs, budget).length,
    budgetLimit: budget.requests,
    backfillPending: Math.floor(pendingMs(state.backfill?.pending ?? []) / 1000),
    needsOperator: state.lastError?.hint ? 1 : 0,
  };
}

/**
 * Sets the tenant's progress gauges (cursor, lag, API budget, pending backfill, waiting on an operator)
 * on the worker's metrics endpoint. Safe anywhere in workflow code: it adds no command to history, and
 * the SDK drops workflow metrics while replaying, so a replay never reports stale values.
 */
export function reportProgress(settings: CollectorSettings, state: CollectorState): void {
  const tags = { tenant_id: settings.tenantId };
  const values = progressGauges(settings, state, Date.now());
  for (const key of Object.keys(values) as ProgressGauge[]) {
    const { name, unit, help } = SERIES[key];
    metricMeter.createGauge(name, 'int', unit, help).set(values[key], tags);
  }
  const daysLeft = describeCredential(state.credential, Date.now())?.daysLeft;
  if (daysLeft !== undefined) {
    const { name, unit, help } = SERIES.credentialExpiry;
    // Gauges take no negative values: an expired certificate reads 0 (and status says expired).
    metricMeter.createGauge(name, 'int', unit, help).set(Math.max(0, daysLeft), tags);
  }
}
