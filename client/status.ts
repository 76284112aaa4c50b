import type { Client } from '@temporalio/client';
import { formatDuration } from '../config/durations.js';
import { formatCount, formatSpan, formatTime } from './format.js';
import { hintFor } from './hints.js';
import { collectorWorkflowId } from '../config/temporal.js';
import { statusQuery } from '../workflows/messages.js';
import type { CollectorStatus } from '../workflows/state.js';

/** An activity Temporal is retrying right now: what the workflow itself learns only once retries run out. */
export interface RetryingActivity {
  readonly activity: string;
  readonly attempt: number;
  readonly lastFailure?: string;
}

/** The collector's own status plus the activities the server is retrying (as the UI shows them). */
export type StatusReport = CollectorStatus & { readonly retrying?: RetryingActivity[]; readonly workflowId?: string; readonly runId?: string };

/** Where to find the collector: its workflow id and, when a UI is known, the link to its run. */
export interface StatusWhere {
  readonly workflowId: string;
  readonly uiLink?: string;
}

/** Asks the tenant's collector for its status (a query: cheap, never touches history). */
export async function getStatus(client: Client, tenantId: string): Promise<StatusReport> {
  const handle = client.workflow.getHandle(collectorWorkflowId(tenantId));
  const [status, description] = await Promise.all([handle.query(statusQuery), handle.describe().catch(() => undefined)]);
  const retrying = (description?.raw.pendingActivities ?? [])
    .filter((a) => (a.attempt ?? 1) > 1)
    .map((a) => ({ activity: a.activityType?.name ?? 'activity', attempt: a.attempt ?? 1, lastFailure: a.lastFailure?.message ?? undefined }));
  const where = { workflowId: handle.workflowId, ...(description && { runId: description.runId }) };
  return retrying.length > 0 ? { ...status, retrying, ...where } : { ...status, ...where };
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
  for (const r of status.retrying ?? []) lines.push(`retrying: ${r.activity}, attempt ${r.attempt}${r.lastFailure ? `: ${r.lastFailure}` : ''}`);
  if (status.tokenExpiresAt) lines.push(`token expires: ${formatTime(status.tokenExpiresAt)}`);
  return lines;
}

/** The live status line of `o365-trace run`. */
export function statusLine(status: StatusReport): string {
  const t = status.totals;
  const retry = status.retrying?.[0];
  const error = status.lastError
    ? ` | ${status.lastError.type}${hintFor(status.lastError, status.source) ? ': ' + hintFor(status.lastError, status.source) : ''}`
    : retry
      ? ` | retrying ${retry.activity} (attempt ${retry.attempt})${retry.lastFailure ? `: ${retry.lastFailure}` : ''}`
      : '';
  return `${status.phase}${status.caughtUp ? ' (caught up)' : ''} | cursor ${formatTime(status.cursor)} | ${formatSpan(status.lagMs)} behind | ${formatCount(t.records)} records in ${formatCount(t.pages)} pages, ${formatCount(t.apiCalls)} API calls${error}`;
}
