import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { collectorWorkflowId } from '../config/temporal.js';
import { pendingMs } from '../time-windows/index.js';
import { formatCount, formatSpan, formatTime } from './format.js';
import { getStatus, type StatusReport } from './status.js';

/** One collector in `status --all`: its status when it runs, else what became of it. */
export interface CollectorSummary {
  readonly tenantId: string;
  readonly workflowId: string;
  /** The latest run's state as Temporal names it, lower case (`running`, `terminated`, ...); `not started` when none exists. */
  readonly execution: string;
  readonly status?: StatusReport;
  /** Why the status could not be read (no worker answered, ...). */
  readonly error?: string;
}

/** The visibility query that finds every collector of the namespace, when there is no tenants file. */
export const COLLECTORS_QUERY = 'WorkflowType="messageTraceCollector"';
/** How long one collector's worker gets to answer its status query before the line says so. */
const ANSWER_DEADLINE_MS = 10_000;
/** Status queries in flight at once: a namespace may hold hundreds of collectors. */
const PARALLEL = 8;
const ID_PREFIX = collectorWorkflowId('');

/**
 * The status of every collector: the tenants of the tenants file, in its order, or, without one, every
 * collector the visibility store knows (newest run per workflow id), sorted by tenant.
 */
export async function getAllStatuses(client: Client, tenantIds?: readonly string[]): Promise<CollectorSummary[]> {
  const executions = await latestRuns(client);
  const ids = tenantIds ?? [...executions.keys()].filter((id) => id.startsWith(ID_PREFIX)).map((id) => id.slice(ID_PREFIX.length)).sort();
  const summaries: CollectorSummary[] = [];
  for (let i = 0; i < ids.length; i += PARALLEL) {
    summaries.push(...(await Promise.all(ids.slice(i, i + PARALLEL).map((tenantId) => summarize(client, tenantId, executions)))));
  }
  return summaries;
}

/**
 * The state of each collector's latest run, by workflow id. Read from the visibility API as it comes,
 * without decoding memos: `client.workflow.list` decodes each run's memo with this client's keys, so one
 * collector started under a payload key this client lacks would fail the whole listing.
 */
async function latestRuns(client: Client): Promise<Map<string, string>> {
  const executions = new Map<string, string>();
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, query: COLLECTORS_QUERY, nextPageToken });
    for (const run of page.executions ?? []) {
      const id = run.execution?.workflowId;
      // The list is newest first: the first run seen per workflow id is its latest.
      if (id && !executions.has(id)) executions.set(id, statusName(run.status));
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return executions;
}

/** `RUNNING`, `TERMINATED`, ... as the SDK names a run's state. */
function statusName(status: proto.temporal.api.enums.v1.WorkflowExecutionStatus | null | undefined): string {
  return (proto.temporal.api.enums.v1.WorkflowExecutionStatus[status ?? 0] ?? 'UNSPECIFIED').replace(/^WORKFLOW_EXECUTION_STATUS_/, '');
}

async function summarize(client: Client, tenantId: string, executions: Map<string, string>): Promise<CollectorSummary> {
  const workflowId = collectorWorkflowId(tenantId);
  const execution = executions.get(workflowId)?.toLowerCase().replace(/_/g, ' ') ?? 'not started';
  if (execution !== 'running') return { tenantId, workflowId, execution };
  try {
    const status = await client.connection.withDeadline(Date.now() + ANSWER_DEADLINE_MS, () => getStatus(client, tenantId));
    return { tenantId, workflowId, execution, status };
  } catch (err) {
    return { tenantId, workflowId, execution, error: (err as Error).message };
  }
}

/** One aligned line per collector: tenant, phase, cursor, lag, backfill, last error. */
export function formatAllStatuses(summaries: readonly CollectorSummary[]): string[] {
  if (summaries.length === 0) return ['no collectors found (start one with: o365-trace start)'];
  const width = Math.max(...summaries.map((s) => s.tenantId.length));
  return summaries.map((s) => `${s.tenantId.padEnd(width)}  ${summaryText(s)}`);
}

function summaryText(s: CollectorSummary): string {
  if (!s.status) return s.error ? `running, no answer: ${s.error}` : s.execution === 'not started' ? s.execution : `${s.execution} (not running)`;
  const st = s.status;
  const parts = [
    `${st.phase}${st.caughtUp ? ' (caught up)' : ''}`.padEnd(18),
    `cursor ${formatTime(st.cursor)}`,
    `lag ${formatSpan(st.lagMs)}`,
    `${formatCount(st.totals.records)} records`,
  ];
  // What is left, not the collector's progress figure: that one adds up every backfill since the start.
  if (st.backfill?.pending.length) parts.push(`backfill ${formatSpan(pendingMs(st.backfill.pending))} left in ${st.backfill.pending.length} range(s)`);
  if (st.lastError) parts.push(`last error ${st.lastError.type}: ${st.lastError.message}`);
  return parts.join('  ');
}
