import type { Client, WorkflowHandle } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { formatDuration } from '../config/durations.js';
import { formatCount, formatSpan, formatTime } from './format.js';
import { hintFor } from './hints.js';
import { collectorWorkflowId } from '../config/temporal.js';
import { retryAfterInMessage } from '../microsoft/retry-after.js';
import { FailureType } from '../contracts/failure-types.js';
import { statusQuery } from '../workflows/messages.js';
import type { CollectorStatus } from '../workflows/state.js';
import { certificateExpiry, type CertificateExpiry } from '../devo/certificate-expiry.js';

/** An activity Temporal is retrying right now: what the workflow itself learns only once retries run out. */
export interface RetryingActivity {
  readonly activity: string;
  readonly attempt: number;
  readonly lastFailure?: string;
  /** The last failure's type, e.g. `Throttled`. */
  readonly failureType?: string;
  /** When the server runs the next attempt (ISO), and how long from now. */
  readonly nextAttemptAt?: string;
  readonly retryInMs?: number;
}

/** Microsoft throttled the tenant: what it asked for in Retry-After, and when the next attempt runs. */
export interface ThrottledReport {
  readonly activity: string;
  readonly attempt: number;
  /** Retry-After as Microsoft sent it, in seconds, `unreadable`, or absent when there was none. */
  readonly askedSeconds?: number | 'unreadable';
  readonly retryInMs?: number;
  readonly nextAttemptAt?: string;
}

/**
 * The collector's own status plus the activities the server is retrying (as the UI shows them), and
 * `throttled` when one of them is waiting out a 429.
 */
export type StatusReport = CollectorStatus & {
  readonly retrying?: RetryingActivity[];
  readonly throttled?: ThrottledReport;
  readonly devoCertificate?: CertificateExpiry;
  readonly workflowId?: string;
  readonly runId?: string;
};

type PendingActivity = NonNullable<Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['describe']>>['raw']['pendingActivities']>[number];
type ProtoTime = { seconds?: unknown; nanos?: number | null } | null | undefined;
const protoMs = (t: ProtoTime) => (t && t.seconds != null ? Number(String(t.seconds)) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : undefined);

/** One pending activity as status shows it; the server knows its attempt, last failure and next attempt time. */
export function retryingActivity(a: PendingActivity, nowMs: number, lastFailure = a.lastFailure?.message ?? undefined): RetryingActivity {
  const nextMs = protoMs(a.nextAttemptScheduleTime) ?? addMs(protoMs(a.lastAttemptCompleteTime), protoMs(a.lastFailure?.applicationFailureInfo?.nextRetryDelay));
  return {
    activity: a.activityType?.name ?? 'activity',
    attempt: a.attempt ?? 1,
    lastFailure,
    failureType: a.lastFailure?.applicationFailureInfo?.type ?? undefined,
    ...(nextMs !== undefined && { nextAttemptAt: new Date(nextMs).toISOString(), retryInMs: Math.max(0, nextMs - nowMs) }),
  };
}

/**
 * The activities the server is retrying for a collector (attempt 2 on), each with its last failure's message
 * decoded: failures keep their message encrypted (the codec's failure attributes), so the raw pending
 * activity only says "Encoded failure".
 */
export async function retryingActivities(client: Client, handle: WorkflowHandle): Promise<RetryingActivity[]> {
  return retryingOf(client, (await handle.describe()).raw.pendingActivities ?? [], Date.now());
}

async function retryingOf(client: Client, pending: readonly PendingActivity[], nowMs: number): Promise<RetryingActivity[]> {
  const retried = pending.filter((a) => (a.attempt ?? 1) > 1);
  return Promise.all(retried.map(async (a) => retryingActivity(a, nowMs, await failureMessage(client, a.lastFailure))));
}

/** A failure's message as the key holder reads it; the raw text when it cannot be decoded. */
async function failureMessage(client: Client, failure: PendingActivity['lastFailure']): Promise<string | undefined> {
  if (!failure) return undefined;
  const decoded = await decodeOptionalFailureToOptionalError(client.options.loadedDataConverter, failure).catch(() => undefined);
  return decoded?.message ?? failure.message ?? undefined;
}

function addMs(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}

/** The throttled one among the retrying activities, with the Retry-After Microsoft asked for. */
export function throttledOf(retrying: readonly RetryingActivity[]): ThrottledReport | undefined {
  const r = retrying.find((a) => a.failureType === FailureType.Throttled);
  if (!r) return undefined;
  const asked = retryAfterInMessage(r.lastFailure ?? '');
  return {
    activity: r.activity,
    attempt: r.attempt,
    ...(asked !== undefined && { askedSeconds: asked === 'unreadable' ? asked : Math.round(asked / 1000) }),
    ...(r.retryInMs !== undefined && { retryInMs: r.retryInMs, nextAttemptAt: r.nextAttemptAt }),
  };
}

/** Where to find the collector: its workflow id and, when a UI is known, the link to its run. */
export interface StatusWhere {
  readonly workflowId: string;
  readonly uiLink?: string;
}

/** Asks the tenant's collector for its status (a query: cheap, never touches history). */
export async function getStatus(client: Client, tenantId: string, devoCertificate?: { path: string; setting: string }): Promise<StatusReport> {
  const handle = client.workflow.getHandle(collectorWorkflowId(tenantId));
  const [status, description] = await Promise.all([handle.query(statusQuery), handle.describe().catch(() => undefined)]);
  const nowMs = Date.now();
  const retrying = await retryingOf(client, description?.raw.pendingActivities ?? [], nowMs);
  const throttled = throttledOf(retrying);
  // The Devo certificate is read here, from the client's own configuration: the workflow never sees Devo's files.
  const devo = devoCertificate && certificateExpiry(devoCertificate.path, devoCertificate.setting, nowMs);
  const where = { workflowId: handle.workflowId, ...(description && { runId: description.runId }) };
  return { ...status, ...(retrying.length > 0 && { retrying }), ...(throttled && { throttled }), ...(devo && { devoCertificate: devo }), ...where };
}

/** One line per fact, times in ISO UTC, counts with thousands separators. */
export function formatStatus(status: StatusReport, where?: StatusWhere): string[] {
  const lines = [
    `tenant: ${status.tenantId} (${status.source})`,
    ...(where ? [`workflow: ${where.workflowId}`] : []),
    ...(where?.uiLink ? [`ui: ${where.uiLink}`] : []),
    `phase: ${status.phase}${status.caughtUp ? ', caught up' : ''}`,
    `cursor: ${formatTime(status.cursor)} (${formatSpan(status.lagMs)} behind now)`,
  ];
  if (status.currentWindow) lines.push(`window: ${formatTime(status.currentWindow.start)} .. ${formatTime(status.currentWindow.end)}, page ${status.currentWindow.page}`);
  const t = status.totals;
  const n = formatCount;
  lines.push(`totals: ${n(t.records)} records, ${n(t.pages)} pages, ${n(t.windows)} windows, ${n(t.apiCalls)} API calls, ${n(t.tokenFetches)} tokens, ${n(t.resent)} resent, ${n(t.oversize)} oversize`);
  lines.push(`API budget: ${status.budget.used} of ${status.budget.limit} requests in the last ${formatDuration(status.budget.windowMs)}`);
  if (status.backfill) {
    const c = status.backfill.currentChunk;
    const chunk = c ? `, now ${formatTime(c.start)} .. ${formatTime(c.end)} page ${c.page}` : '';
    lines.push(`backfill: ${(status.backfill.progress * 100).toFixed(1)}% done, ${status.backfill.pending.length} range(s) pending${chunk}`);
    for (const r of status.backfill.pending) lines.push(`  pending: ${formatTime(r.from)} .. ${formatTime(r.to)}`);
  }
  if (status.paused) lines.push(`paused: since ${formatTime(status.paused.since)}${status.paused.reason ? ` (${status.paused.reason})` : ''}`);
  if (status.lastError) {
    lines.push(`last error: ${status.lastError.type} at ${formatTime(status.lastError.at)}: ${status.lastError.message}`);
    const hint = hintFor(status.lastError, status.source);
    if (hint) lines.push(`hint: ${hint}`);
  }
  if (status.throttled) lines.push(`throttled: ${describeThrottled(status.throttled)}`);
  for (const r of status.retrying ?? []) lines.push(`retrying: ${r.activity}, attempt ${r.attempt}${r.nextAttemptAt ? ` at ${formatTime(r.nextAttemptAt)}` : ''}${r.lastFailure ? `: ${r.lastFailure}` : ''}`);
  if (status.tokenExpiresAt) lines.push(`token expires: ${formatTime(status.tokenExpiresAt)}`);
  const c = status.credential;
  if (c) lines.push(`credential: ${c.kind} (${c.setting})${c.expiresAt ? `, expires ${c.expiresAt} (${c.daysLeft} days left)` : ''}`);
  if (c?.warning) lines.push(`warning: ${c.warning}`);
  const d = status.devoCertificate;
  if (d) lines.push(`Devo certificate: ${d.setting} expires ${d.expiresAt} (${d.daysLeft} days left)`);
  if (d?.warning) lines.push(`warning: ${d.warning}`);
  return lines;
}

/** The live status line of `o365-trace run`. */
export function statusLine(status: StatusReport): string {
  const t = status.totals;
  const retry = status.retrying?.[0];
  const error = status.lastError
    ? ` | ${status.lastError.type}${hintFor(status.lastError, status.source) ? ': ' + hintFor(status.lastError, status.source) : ''}`
    : status.throttled
      ? ` | Throttled: ${describeThrottled(status.throttled)}`
      : retry
      ? ` | retrying ${retry.activity} (attempt ${retry.attempt})${retry.lastFailure ? `: ${retry.lastFailure}` : ''}`
      : '';
  return `${status.phase}${status.caughtUp ? ' (caught up)' : ''} | cursor ${formatTime(status.cursor)} | ${formatSpan(status.lagMs)} behind | ${formatCount(t.records)} records in ${formatCount(t.pages)} pages, ${formatCount(t.apiCalls)} API calls${error}`;
}

/** `Microsoft asked 315360000 s (Retry-After), retrying in 300 s at 2026-12-03T10:05:00.000Z, pullPage attempt 2`. */
export function describeThrottled(t: ThrottledReport): string {
  const asked = t.askedSeconds === undefined ? 'Microsoft sent no Retry-After' : t.askedSeconds === 'unreadable' ? 'Microsoft sent an unreadable Retry-After' : `Microsoft asked ${t.askedSeconds} s (Retry-After)`;
  const next = t.retryInMs === undefined ? '' : `, retrying in ${Math.round(t.retryInMs / 1000)} s at ${t.nextAttemptAt}`;
  return `${asked}${next}, ${t.activity} attempt ${t.attempt}`;
}
