import { Command } from 'commander';
import { formatStatus, getStatus } from '../status.js';
import { withClient } from './with-client.js';

/** `o365-trace status [--json]`: what the collector is doing, from its status query. */
export function statusCommand(): Command {
  return new Command('status')
    .description("show the tenant collector's cursor, lag, totals and last error")
    .option('--json', 'print one JSON document and nothing else')
    .action(async (options: { json?: boolean }) => {
      await withClient(async (client, config) => {
        const tenantId = config.microsoft.tenantId;
        const devo = config.tenants?.find((t) => t.microsoft.tenantId === tenantId)?.devo ?? config.devo;
        const setting = devo === config.devo ? 'DEVO_CERT' : `tenant ${tenantId} devo.cert`;
        const status = await getStatus(client, tenantId, devo.transport === 'tls' && devo.certPath ? { path: devo.certPath, setting } : undefined);
        console.log(options.json ? JSON.stringify(status, null, 2) : formatStatus(status).join('\n'));
      });
    });
}
