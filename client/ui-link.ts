/**
 * The Temporal UI page of one workflow run: `<base>/namespaces/<ns>/workflows/<id>/<run>/history`, the
 * same shape on a self-hosted UI, the dev server's and Temporal Cloud's (https://cloud.temporal.io).
 */
export function workflowUiLink(uiBaseUrl: string, namespace: string, workflowId: string, runId?: string): string {
  const base = uiBaseUrl.replace(/\/+$/, '');
  const path = [namespace, 'workflows', workflowId].map(encodeURIComponent);
  return `${base}/namespaces/${path[0]}/${path[1]}/${path[2]}${runId ? `/${encodeURIComponent(runId)}/history` : ''}`;
}
