import { ApplicationFailure } from '@temporalio/workflow';
import { RefusalType } from '../contracts/failure-types.js';
import { MAX_QUERY_SPAN_MS, PAGE_SIZE_RANGE } from '../contracts/microsoft-limits.js';
import type { ApiBudget } from '../time-windows/index.js';
import type { CollectorSettings } from './state.js';

/** What `updateSettings` may change on a running collector; each applies from the next window or page. */
export interface SettingsChange {
  readonly windowMs?: number;
  readonly lagMs?: number;
  readonly pageSize?: number;
  readonly budget?: ApiBudget;
}

const invalid = (message: string) => ApplicationFailure.create({ type: RefusalType.InvalidSettings, message, nonRetryable: true });

/**
 * Checks a change against the collector's source and returns the settings it results in. Refused changes
 * never reach history (the update's validator runs this first).
 */
export function applySettingsChange(settings: CollectorSettings, change: SettingsChange): CollectorSettings {
  const { windowMs, lagMs, pageSize, budget } = change ?? {};
  const problems: string[] = [];
  if (windowMs !== undefined && !(Number.isInteger(windowMs) && windowMs >= 1000 && windowMs <= MAX_QUERY_SPAN_MS)) problems.push('windowMs must be a whole number of ms from 1 s to 10 days');
  if (lagMs !== undefined && !(Number.isInteger(lagMs) && lagMs >= 0)) problems.push('lagMs must be a whole number of ms, 0 or more');
  const { min, max } = PAGE_SIZE_RANGE[settings.source];
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= min && pageSize <= max)) problems.push(`pageSize must be from ${min} to ${max} for ${settings.source}`);
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

