import { ApplicationFailure } from '@temporalio/workflow';
import type { ApiBudget } from '../time-windows/index.js';
import type { CollectorSettings } from './state.js';

/** What `updateSettings` may change on a running collector; each applies from the next window or page. */
export interface SettingsChange {
  readonly windowMs?: number;
  readonly lagMs?: number;
  readonly pageSize?: number;
  readonly budget?: ApiBudget;
}

const MINUTE_MS = 60_000;
/** Graph answers at most 10 days per query (docs/sources.md#graph-query); a window is one query. */
const MAX_WINDOW_MS = 10 * 24 * 60 * MINUTE_MS;
const MAX_PAGE_SIZE = { graph: 5000, reporting: 2000 } as const;

const invalid = (message: string) => ApplicationFailure.create({ type: 'InvalidSettings', message, nonRetryable: true });

/**
 * Checks a change against the collector's source and returns the settings it results in. Refused changes
 * never reach history (the update's validator runs this first).
 */
export function applySettingsChange(settings: CollectorSettings, change: SettingsChange): CollectorSettings {
  const { windowMs, lagMs, pageSize, budget } = change ?? {};
  const problems: string[] = [];
  if (windowMs !== undefined && !(Number.isInteger(windowMs) && windowMs >= 1000 && windowMs <= MAX_WINDOW_MS)) problems.push('windowMs must be a whole number of ms from 1 s to 10 days');
  if (lagMs !== undefined && !(Number.isInteger(lagMs) && lagMs >= 0)) problems.push('lagMs must be a whole number of ms, 0 or more');
  const maxPage = MAX_PAGE_SIZE[settings.source];
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= maxPage)) problems.push(`pageSize must be from 1 to ${maxPage} for ${settings.source}`);
  if (budget !== undefined) {
    const ok = Number.isInteger(budget.requests) && budget.requests >= 1 && budget.windowMs >= 1000 && Number.isInteger(budget.liveReserve) && budget.liveReserve >= 0 && budget.liveReserve < budget.requests;
    if (!ok) problems.push('budget needs requests >= 1, windowMs >= 1000 and 0 <= liveReserve < requests');
  }
  if (problems.length > 0) throw invalid(problems.join('; '));
  return {
    ...settings,
    ...(windowMs !== undefined && { windowMs }),
    ...(lagMs !== undefined && { lagMs }),
    ...(pageSize !== undefined && { pageSize }),
    // Only the budget's own fields: anything else a caller sent would be carried in the settings for good.
    ...(budget !== undefined && { budget: { requests: budget.requests, windowMs: budget.windowMs, liveReserve: budget.liveReserve } }),
  };
}

