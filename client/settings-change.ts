import { formatDuration } from '../config/durations.js';
import type { TenantConfig } from '../tenants/load.js';
import { DEFAULT_BUDGET, type ApiBudget } from '../time-windows/index.js';
import type { SettingsChange } from '../workflows/settings.js';
import type { CollectorStatus } from '../workflows/state.js';

/**
 * What the settings update must change so a running collector matches its tenants-file entry, or
 * undefined when it already does. A budget the file leaves out is the collector's default budget.
 */
export function settingsChange(status: CollectorStatus, tenant: TenantConfig): SettingsChange | undefined {
  const { windowMs, lagMs, pageSize } = tenant.microsoft;
  const budget = tenant.budget ?? DEFAULT_BUDGET;
  const change: SettingsChange = {
    ...(windowMs !== status.settings.windowMs && { windowMs }),
    ...(lagMs !== status.settings.lagMs && { lagMs }),
    ...(pageSize !== status.settings.pageSize && { pageSize }),
    ...((budget.requests !== status.budget.limit || budget.windowMs !== status.budget.windowMs || budget.liveReserve !== status.budget.liveReserve) && { budget }),
  };
  return Object.keys(change).length > 0 ? change : undefined;
}

/** The change as `name before -> after` phrases, for the CLI. */
export function describeChange(status: CollectorStatus, change: SettingsChange): string[] {
  const was = status.settings;
  const phrases: string[] = [];
  if (change.windowMs !== undefined) phrases.push(`window ${formatDuration(was.windowMs)} -> ${formatDuration(change.windowMs)}`);
  if (change.lagMs !== undefined) phrases.push(`lag ${formatDuration(was.lagMs)} -> ${formatDuration(change.lagMs)}`);
  if (change.pageSize !== undefined) phrases.push(`pageSize ${was.pageSize} -> ${change.pageSize}`);
  if (change.budget !== undefined) phrases.push(`budget ${status.budget.limit}/${formatDuration(status.budget.windowMs)} -> ${budgetText(change.budget)}`);
  return phrases;
}

function budgetText(budget: ApiBudget): string {
  return `${budget.requests}/${formatDuration(budget.windowMs)}`;
}
