import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { statusQuery } from '../workflows/messages.js';
import { CURSOR } from '../workflows/search-attributes.js';
import { iso } from '../time-windows/index.js';

/** The collector's latest run as the server knows it, and for a closed one the cursor it had reached. */
export type LastRun =
  | { readonly state: 'none' }
  | { readonly state: 'running'; readonly runId: string }
  | {
      readonly state: 'closed';
      readonly runId: string;
      /** How the run ended, lower case: `terminated`, `failed`, `timed out`, ... */
      readonly execution: string;
      /** End of the last window it delivered (ISO); absent when no source knew it. */
      readonly cursor?: string;
      /** Where the cursor was read: the run's O365Cursor search attribute or its status query. */
      readonly cursorFrom?: 'search attribute' | 'status query';
    };

/** How long a worker gets to answer the status query of a closed run (it replays that run's history). */
const CLOSED_QUERY_DEADLINE_MS = 15_000;

/**
 * Finds the latest run of `workflowId` and, when it is closed (terminated by mistake, failed, timed out),
 * the cursor it reached: from its `O365Cursor` search attribute, upserted at every advance where the
 * namespace has it, or else from its status query, which a worker answers for closed runs too.
 */
export async function lastRun(client: Client, workflowId: string): Promise<LastRun> {
  const description = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
  if (!description) return { state: 'none' };
  if (description.status.name === 'RUNNING') return { state: 'running', runId: description.runId };
  const execution = description.status.name.toLowerCase().replace(/_/g, ' ');
  const attribute = description.typedSearchAttributes.get(CURSOR);
  if (attribute) return { state: 'closed', runId: description.runId, execution, cursor: iso(attribute.getTime()), cursorFrom: 'search attribute' };
  const status = await client.connection
    .withDeadline(Date.now() + CLOSED_QUERY_DEADLINE_MS, () => client.workflow.getHandle(workflowId, description.runId).query(statusQuery))
    .catch(() => undefined);
  return { state: 'closed', runId: description.runId, execution, ...(status && { cursor: status.cursor, cursorFrom: 'status query' as const }) };
}
