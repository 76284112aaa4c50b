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
        const status = await getStatus(client, config.microsoft.tenantId);
        console.log(options.json ? JSON.stringify(status, null, 2) : formatStatus(status).join('\n'));
      });
    });
}
