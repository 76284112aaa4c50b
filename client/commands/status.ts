import { Command } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import { collectorWorkflowId } from '../../config/temporal.js';
import { formatAllStatuses, getAllStatuses } from '../status-all.js';
import { formatStatus, getStatus } from '../status.js';
import { workflowUiLink } from '../ui-link.js';
import { withClient } from './with-client.js';

/** `o365-trace status [--json] [--all]`: what the collector (or every collector) is doing, from its status query. */
export function statusCommand(): Command {
  const command = new Command('status')
    .description("show the tenant collector's cursor, lag, totals and last error, with its workflow id and UI link")
    .option('--json', 'print one JSON document and nothing else')
    .option('--all', 'one line per collector: the tenants of O365_TENANTS_FILE, else every collector on the server')
    .action(async (options: { json?: boolean; all?: boolean }) => {
      await withClient('status', async (client, config) => {
        if (options.all) {
          const all = await getAllStatuses(client, config.tenants?.map((t) => t.microsoft.tenantId));
          console.log(options.json ? JSON.stringify({ collectors: all }, null, 2) : formatAllStatuses(all).join('\n'));
          return;
        }
        const workflowId = collectorWorkflowId(config.microsoft.tenantId);
        const tenantId = config.microsoft.tenantId;
        const devo = config.tenants?.find((t) => t.microsoft.tenantId === tenantId)?.devo ?? config.devo;
        const setting = devo === config.devo ? 'DEVO_CERT' : `tenant ${tenantId} devo.cert`;
        const devoCertificate = devo.transport === 'tls' && devo.certPath ? { path: devo.certPath, setting } : undefined;
        const status = await getStatus(client, tenantId, devoCertificate).catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError) throw new Error(`no collector ${workflowId} in namespace ${config.temporal.namespace} (start it with: o365-trace start)`);
          throw err;
        });
        const uiLink = config.temporalUiUrl && workflowUiLink(config.temporalUiUrl, config.temporal.namespace, workflowId, status.runId);
        console.log(options.json ? JSON.stringify({ ...status, ...(uiLink && { uiLink }) }, null, 2) : formatStatus(status, { workflowId, uiLink }).join('\n'));
      });
    });
  return command;
}
