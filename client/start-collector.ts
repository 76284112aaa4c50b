import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../config/durations.js';
import { collectorWorkflowId } from '../config/temporal.js';
import type { TenantConfig } from '../tenants/load.js';
import { alignDown, clampToRetention, iso } from '../time-windows/index.js';
import type { messageTraceCollector } from '../workflows/index.js';
import { settingsUpdate, statusQuery } from '../workflows/messages.js';
import type { CollectorSettings } from '../workflows/state.js';
import { describeChange, settingsChange } from './settings-change.js';
import { registerSearchAttributes } from './search-attributes.js';

/** What startCollector did. */
export interface StartResult {
  readonly workflowId: string;
  /** False when the tenant's collector was already running and was left as it is. */
  readonly started: boolean;
  readonly start?: string;
  /** Set when O365_START lay beyond the source's retention and was moved forward. */
  readonly clampWarning?: string;
}

/** Resolves O365_START (ISO time or a duration back) against now, clamped and aligned to the window. */
export function resolveStart(config: Config, nowMs: number): { startMs: number; clampWarning?: string } {
  const { start, source, retentionMarginMs, windowMs } = config.microsoft;
  const back = parseDuration(start);
  const requested = back !== undefined ? nowMs - back : Date.parse(start);
  const clamped = clampToRetention(requested, nowMs, source, retentionMarginMs);
  const startMs = clamped.clamped ? Math.ceil(clamped.startMs / windowMs) * windowMs : alignDown(clamped.startMs, windowMs);
  const clampWarning = clamped.clamped
    ? `O365_START ${iso(requested)} is beyond what ${source} keeps; starting at ${iso(startMs)} instead`
    : undefined;
  return { startMs, clampWarning };
}

/** Starts the tenant's collector, or leaves the running one alone (its cursor is the truth). */
export async function startCollector(
  client: Client,
  config: Config,
  overrides: Partial<CollectorSettings> = {},
  nowMs = Date.now(),
): Promise<StartResult> {
  const workflowId = collectorWorkflowId(config.microsoft.tenantId);
  const { startMs, clampWarning } = resolveStart(config, nowMs);
  const { tenantId, source, windowMs, lagMs, pageSize } = config.microsoft;
  const searchAttributes = await registerSearchAttributes(client.connection, config.temporal.namespace);
  const settings: CollectorSettings = { tenantId, source, windowMs, lagMs, pageSize, retentionMarginMs: config.microsoft.retentionMarginMs, searchAttributes, ...overrides };
  try {
    await client.workflow.start<typeof messageTraceCollector>('messageTraceCollector', {
      workflowId,
      taskQueue: config.temporal.taskQueue,
      args: [{ settings, start: iso(startMs) }],
    });
    return { workflowId, started: true, start: iso(startMs), clampWarning };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
    throw err;
  }
}

/** What startOrUpdateCollector did for one tenant of the tenants file. */
export interface TenantStartResult extends StartResult {
  readonly outcome: 'started' | 'updated' | 'unchanged';
  /** What the update changed, e.g. `window 5m -> 10m`. */
  readonly changes?: string[];
  /** Something in the file a running collector cannot take on (its source). */
  readonly note?: string;
}

/** How long a running collector's worker gets to answer before start --all moves on. */
const ANSWER_DEADLINE_MS = 30_000;

/**
 * Starts a tenant's collector, or brings a running one to the file's settings with the settings update
 * (window, lag, page size, budget); a collector whose settings already match is left alone.
 */
export async function startOrUpdateCollector(client: Client, config: Config, tenant: TenantConfig, nowMs = Date.now()): Promise<TenantStartResult> {
  const tenantConfig: Config = { ...config, microsoft: tenant.microsoft, devo: tenant.devo };
  const started = await startCollector(client, tenantConfig, tenant.budget ? { budget: tenant.budget } : {}, nowMs);
  if (started.started) return { ...started, outcome: 'started' };
  const handle = client.workflow.getHandle<typeof messageTraceCollector>(started.workflowId);
  // Queries and updates are answered by a worker; without one they would wait indefinitely.
  const answer = <T>(call: () => Promise<T>) => client.connection.withDeadline(Date.now() + ANSWER_DEADLINE_MS, call);
  const status = await answer(() => handle.query(statusQuery));
  const note = status.source !== tenant.microsoft.source ? `source stays ${status.source} (a collector's source cannot change; terminate it to start afresh)` : undefined;
  const change = settingsChange(status, tenant);
  if (!change) return { ...started, outcome: 'unchanged', note };
  await answer(() => handle.executeUpdate(settingsUpdate, { args: [change] }));
  return { ...started, outcome: 'updated', changes: describeChange(status, change), note };
}
