import { Command } from 'commander';
import { connectClient } from '../connect.js';
import { formatStatus, getStatus } from '../status.js';
import { configOrExit } from './config-or-exit.js';

/** `o365-trace status [--json]`: what the collector is doing, from its status query. */
export function statusCommand(): Command {
  return new Command('status')
    .description("show the tenant collector's cursor, lag, totals and last error")
    .option('--json', 'print one JSON document and nothing else')
    .action(async (options: { json?: boolean }) => {
      const config = configOrExit('client');
      const { client, connection } = await connectClient(config);
      try {
        const status = await getStatus(client, config.microsoft.tenantId);
        console.log(options.json ? JSON.stringify(status, null, 2) : formatStatus(status).join('\n'));
      } finally {
        await connection.close();
      }
    });
}
