import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowUpdateRPCTimeoutOrCancelledError, WorkflowUpdateStage, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../config/durations.js';
import { collectorWorkflowId } from '../config/temporal.js';
import type { TenantConfig } from '../tenants/load.js';
import { alignDown, clampToRetention, iso } from '../time-windows/index.js';
import type { messageTraceCollector } from '../workflows/index.js';
import { settingsUpdate, statusQuery } from '../workflows/messages.js';
import type { SettingsChange } from '../workflows/settings.js';
import type { CollectorInput, CollectorSettings } from '../workflows/state.js';
import { lastRun } from './last-run.js';
import { describeChange, settingsChange } from './settings-change.js';
import { registerSearchAttributes } from './search-attributes.js';

/** What startCollector did. */
export interface StartResult {
  readonly workflowId: string;
  /** The run started, or the running one left as it is. */
  readonly runId?: string;
  /** False when the tenant's collector was already running and was left as it is. */
  readonly started: boolean;
  readonly start?: string;
  /** Set when the start lay beyond the source's retention and was moved forward. */
  readonly clampWarning?: string;
  /** Set when the collector restarted from the cursor of its closed run instead of O365_START. */
  readonly resumed?: { readonly runId: string; readonly execution: string; readonly cursorFrom: string };
  /** Set when the previous run is closed but its cursor was unknown, so O365_START applied. */
  readonly cursorUnknown?: { readonly runId: string; readonly execution: string };
  /** False when no worker applied the start's settings update within the deadline (the collector still runs). */
  readonly answered?: boolean;
}

/** How startCollector starts: `fromScratch` ignores a closed run's cursor and starts at O365_START. */
export interface StartOptions {
  readonly fromScratch?: boolean;
  /** The settings update that start sends with the start; empty: change nothing on a running collector. */
  readonly change?: SettingsChange;
  readonly nowMs?: number;
}

/** Resolves O365_START (ISO time or a duration back) against now, clamped and aligned to the window. */
export function resolveStart(config: Config, nowMs: number): { startMs: number; clampWarning?: string } {
  const { start } = config.microsoft;
  const back = parseDuration(start);
  const requested = back !== undefined ? nowMs - back : Date.parse(start);
  return clampStart(requested, config, nowMs, 'O365_START');
}

function clampStart(requested: number, config: Config, nowMs: number, what: string): { startMs: number; clampWarning?: string } {
  const { source, retentionMarginMs, windowMs } = config.microsoft;
  const clamped = clampToRetention(requested, nowMs, source, retentionMarginMs);
  const startMs = clamped.clamped ? Math.ceil(clamped.startMs / windowMs) * windowMs : alignDown(clamped.startMs, windowMs);
  const clampWarning = clamped.clamped ? `${what} ${iso(requested)} is beyond what ${source} keeps; starting at ${iso(startMs)} instead` : undefined;
  return { startMs, clampWarning };
}

/**
 * Update-with-start: the settings change reaches whichever run holds the workflow id, the running one
 * or, when it closed in the meantime, the one this call starts, in one request. `answered` is false when
 * no worker accepted the update within the deadline (the collector runs; the update waits for a worker).
 */
async function startWithUpdate(
  client: Client,
  startOptions: ConstructorParameters<typeof WithStartWorkflowOperation<typeof messageTraceCollector>>[1],
  change: SettingsChange,
): Promise<{ handle: WorkflowHandle; answered: boolean }> {
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof messageTraceCollector>('messageTraceCollector', startOptions);
  const answered = await client.connection
    .withDeadline(Date.now() + ANSWER_DEADLINE_MS, () =>
      client.workflow.startUpdateWithStart(settingsUpdate, { args: [change], waitForStage: WorkflowUpdateStage.ACCEPTED, startWorkflowOperation }),
    )
    .then(
      (update) => update.result().then(() => true),
      (err: unknown) => {
        if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return false;
        throw err;
      },
    );
  return { handle: await startWorkflowOperation.workflowHandle(), answered };
}

/** Memo key holding the id of the start request that began a run. */
const START_REQUEST_MEMO = 'startRequest';

/** How long a worker gets to accept the start's settings update before start reports it unanswered. */
const ANSWER_DEADLINE_MS = 30_000;

/**
 * Starts the tenant's collector, or leaves the running one alone (its cursor is the truth), with the
 * conflict policy USE_EXISTING, so two starters never make two runs. A settings change goes in the same
 * request (update-with-start), so it cannot fall between a run that closes and the one that replaces it.
 * A collector whose last run was closed (terminated by mistake) restarts from that run's cursor, unless
 * `fromScratch`.
 */
export async function startCollector(client: Client, config: Config, overrides: Partial<CollectorSettings> = {}, options: StartOptions = {}): Promise<StartResult> {
  const nowMs = options.nowMs ?? Date.now();
  const workflowId = collectorWorkflowId(config.microsoft.tenantId);
  const previous = await lastRun(client, workflowId);
  const resumeAt = !options.fromScratch && previous.state === 'closed' ? previous.cursor : undefined;
  const { startMs, clampWarning } = resumeAt ? clampStart(Date.parse(resumeAt), config, nowMs, 'the last cursor') : resolveStart(config, nowMs);
  const { tenantId, source, windowMs, lagMs, pageSize } = config.microsoft;
  const searchAttributes = await registerSearchAttributes(client.connection, config.temporal.namespace);
  const settings: CollectorSettings = { tenantId, source, windowMs, lagMs, pageSize, retentionMarginMs: config.microsoft.retentionMarginMs, searchAttributes, ...overrides };
  const startRequest = randomUUID();
  const startOptions = {
    workflowId,
    taskQueue: config.temporal.taskQueue,
    args: [{ settings, start: iso(startMs) }] as [CollectorInput],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    // Tells this starter's run from one another starter began a moment earlier (USE_EXISTING attaches to it).
    memo: { [START_REQUEST_MEMO]: startRequest },
  };
  const { handle, answered } = options.change
    ? await startWithUpdate(client, startOptions, options.change)
    : // Nothing to change: a plain start, so an unchanged collector gets no update in its history and
      // `start` does not wait for a worker.
      { handle: await client.workflow.start<typeof messageTraceCollector>('messageTraceCollector', startOptions), answered: undefined };
  const description = await handle.describe();
  const started = description.memo?.[START_REQUEST_MEMO] === startRequest;
  const runId = description.runId;
  if (!started) return { workflowId, runId, started, answered };
  return {
    workflowId,
    runId,
    started,
    start: iso(startMs),
    clampWarning,
    answered,
    ...(resumeAt && previous.state === 'closed' && { resumed: { runId: previous.runId, execution: previous.execution, cursorFrom: previous.cursorFrom! } }),
    ...(!resumeAt && !options.fromScratch && previous.state === 'closed' && { cursorUnknown: { runId: previous.runId, execution: previous.execution } }),
  };
}

/** What startOrUpdateCollector did for one tenant of the tenants file. */
export interface TenantStartResult extends StartResult {
  readonly outcome: 'started' | 'updated' | 'unchanged';
  /** What the update changed, e.g. `window 5m -> 10m`. */
  readonly changes?: string[];
  /** Something in the file a running collector cannot take on (its source). */
  readonly note?: string;
}

/**
 * Starts a tenant's collector, or brings a running one to the file's settings with the settings update
 * (window, lag, page size, budget) sent in the same update-with-start; a collector whose settings
 * already match is reported unchanged.
 */
export async function startOrUpdateCollector(client: Client, config: Config, tenant: TenantConfig, options: StartOptions = {}): Promise<TenantStartResult> {
  const tenantConfig: Config = { ...config, microsoft: tenant.microsoft, devo: tenant.devo };
  const workflowId = collectorWorkflowId(tenant.microsoft.tenantId);
  const handle = client.workflow.getHandle(workflowId);
  const isRunning = await handle.describe().then((d) => d.status.name === 'RUNNING', () => false);
  // Queries are answered by a worker; without one they would wait indefinitely.
  const running = isRunning ? await client.connection.withDeadline(Date.now() + ANSWER_DEADLINE_MS, () => handle.query(statusQuery)).catch(() => undefined) : undefined;
  const change = running && settingsChange(running, tenant);
  const started = await startCollector(client, tenantConfig, tenant.budget ? { budget: tenant.budget } : {}, { ...options, change });
  if (started.started) return { ...started, outcome: 'started' };
  if (!running) return { ...started, outcome: 'unchanged', note: 'no worker answered its status query, so its settings were not compared' };
  const note = running.source !== tenant.microsoft.source ? `source stays ${running.source} (a collector's source cannot change; terminate it to start afresh)` : undefined;
  if (!change) return { ...started, outcome: 'unchanged', note };
  return { ...started, outcome: 'updated', changes: describeChange(running, change), note };
}
