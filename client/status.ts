import type { Client } from '@temporalio/client';
import { formatDuration } from '../config/durations.js';
import { collectorWorkflowId } from '../config/temporal.js';
import { statusQuery } from '../workflows/messages.js';
import type { CollectorStatus } from '../workflows/state.js';
import { certificateExpiry, type CertificateExpiry } from '../devo/certificate-expiry.js';

/** An activity Temporal is retrying right now: what the workflow itself learns only once retries run out. */
export interface RetryingActivity {
  readonly activity: string;
  readonly attempt: number;
  readonly lastFailure?: string;
}

/** The collector's own status plus the activities the server is retrying (as the UI shows them). */
export type StatusReport = CollectorStatus & { readonly retrying?: RetryingActivity[]; readonly devoCertificate?: CertificateExpiry };

/** Asks the tenant's collector for its status (a query: cheap, never touches history). */
export async function getStatus(client: Client, tenantId: string, devoCertificate?: { path: string; setting: string }): Promise<StatusReport> {
  const handle = client.workflow.getHandle(collectorWorkflowId(tenantId));
  const [status, description] = await Promise.all([handle.query(statusQuery), handle.describe().catch(() => undefined)]);
  const retrying = (description?.raw.pendingActivities ?? [])
    .filter((a) => (a.attempt ?? 1) > 1)
    .map((a) => ({ activity: a.activityType?.name ?? 'activity', attempt: a.attempt ?? 1, lastFailure: a.lastFailure?.message ?? undefined }));
  // The Devo certificate is read here, from the client's own configuration: the workflow never sees Devo's files.
  const devo = devoCertificate && certificateExpiry(devoCertificate.path, devoCertificate.setting, Date.now());
  return { ...status, ...(retrying.length > 0 && { retrying }), ...(devo && { devoCertificate: devo }) };
}

/** One line per fact, times in ISO UTC. */
export function formatStatus(status: StatusReport): string[] {
  const lines = [
    `tenant: ${status.tenantId} (${status.source})`,
    `phase: ${status.phase}${status.caughtUp ? ', caught up' : ''}`,
    `cursor: ${status.cursor} (${formatDuration(status.lagMs)} behind now)`,
  ];
  if (status.currentWindow) lines.push(`window: ${status.currentWindow.start} .. ${status.currentWindow.end}, page ${status.currentWindow.page}`);
  const t = status.totals;
  lines.push(`totals: ${t.records} records, ${t.pages} pages, ${t.windows} windows, ${t.apiCalls} API calls, ${t.tokenFetches} tokens, ${t.resent} resent, ${t.oversize} oversize`);
  lines.push(`API budget: ${status.budget.used} of ${status.budget.limit} requests in the last ${formatDuration(status.budget.windowMs)}`);
  if (status.backfill) {
    const chunk = status.backfill.currentChunk ? `, now ${status.backfill.currentChunk.start} .. ${status.backfill.currentChunk.end} page ${status.backfill.currentChunk.page}` : '';
    lines.push(`backfill: ${(status.backfill.progress * 100).toFixed(1)}% done, ${status.backfill.pending.length} range(s) pending${chunk}`);
    for (const r of status.backfill.pending) lines.push(`  pending: ${r.from} .. ${r.to}`);
  }
  if (status.paused) lines.push(`paused: since ${status.paused.since}${status.paused.reason ? ` (${status.paused.reason})` : ''}`);
  if (status.lastError) {
    lines.push(`last error: ${status.lastError.type} at ${status.lastError.at}: ${status.lastError.message}`);
    if (status.lastError.hint) lines.push(`hint: ${status.lastError.hint}`);
  }
  for (const r of status.retrying ?? []) lines.push(`retrying: ${r.activity}, attempt ${r.attempt}${r.lastFailure ? `: ${r.lastFailure}` : ''}`);
  if (status.tokenExpiresAt) lines.push(`token expires: ${status.tokenExpiresAt}`);
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
    ? ` | ${status.lastError.type}${status.lastError.hint ? ': ' + status.lastError.hint : ''}`
    : retry
      ? ` | retrying ${retry.activity} (attempt ${retry.attempt})${retry.lastFailure ? `: ${retry.lastFailure}` : ''}`
      : '';
  return `${status.phase}${status.caughtUp ? ' (caught up)' : ''} | cursor ${status.cursor} | ${formatDuration(status.lagMs)} behind | ${t.records} records in ${t.pages} pages, ${t.apiCalls} API calls${error}`;
}
