import type { Client } from '@temporalio/client';
import { collectorWorkflowId } from '../config/temporal.js';
import type { BackfillAccepted } from '../workflows/backfill.js';
import { backfillUpdate, statusQuery } from '../workflows/messages.js';
import type { CollectorStatus } from '../workflows/state.js';

/** Asks the tenant's collector to pull [from, to) again; answers with the accepted range or throws why not. */
export async function requestBackfill(client: Client, tenantId: string, from: string, to: string): Promise<BackfillAccepted> {
  return client.workflow.getHandle(collectorWorkflowId(tenantId)).executeUpdate(backfillUpdate, { args: [{ from, to }] });
}

/** True while any part of [from, to) is still pending or in hand. */
export function backfillPending(status: CollectorStatus, from: string, to: string): boolean {
  const [f, t] = [Date.parse(from), Date.parse(to)];
  return (status.backfill?.pending ?? []).some((r) => Date.parse(r.from) < t && Date.parse(r.to) > f);
}

/** Polls the status until the range is delivered, reporting progress. */
export async function waitForBackfill(
  client: Client,
  tenantId: string,
  accepted: BackfillAccepted,
  onProgress: (status: CollectorStatus) => void,
  intervalMs = 2_000,
): Promise<CollectorStatus> {
  const handle = client.workflow.getHandle(collectorWorkflowId(tenantId));
  for (;;) {
    const status = await handle.query(statusQuery);
    onProgress(status);
    if (!backfillPending(status, accepted.from, accepted.to)) return status;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
