/** Temporal names defined once, so worker, client and tests cannot drift apart. */
export const TEMPORAL_DEFAULTS = {
  namespace: 'default',
  taskQueue: 'o365-message-trace',
} as const;

/** The workflow id of a tenant's collector: one long-lived workflow per tenant. */
export function collectorWorkflowId(tenantId: string): string {
  return `o365-message-trace/${tenantId}`;
}
