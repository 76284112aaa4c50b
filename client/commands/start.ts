import { Command } from 'commander';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config/schema.js';
import { startCollector, startOrUpdateCollector, type TenantStartResult } from '../start-collector.js';
import { withClient } from './with-client.js';

/** `o365-trace start [--all]`: start this tenant's collector, or every tenant's of O365_TENANTS_FILE. */
export function startCommand(): Command {
  return new Command('start')
    .description("start this tenant's collector workflow (idempotent); --all: every tenant of O365_TENANTS_FILE, updating running ones")
    .option('--all', 'start or update one collector per tenant of O365_TENANTS_FILE')
    .action(async (options: { all?: boolean }) => {
      await withClient(async (client, config) => {
        if (options.all) {
          process.exitCode = await startAll(client, config);
          return;
        }
        const result = await startCollector(client, config);
        if (result.clampWarning) console.warn(`warning: ${result.clampWarning}`);
        console.log(result.started ? `started ${result.workflowId} from ${result.start}` : `${result.workflowId} is already running; left as it is`);
        console.log('next: o365-trace status   (workers: o365-trace worker)');
      });
    });
}

/** One line per tenant (started, updated or unchanged); a tenant that fails does not stop the others. Returns the exit code. */
async function startAll(client: Client, config: Config): Promise<number> {
  if (!config.tenants) {
    console.error('o365-trace: invalid configuration\n  O365_TENANTS_FILE: required for start --all');
    return 2;
  }
  let failed = 0;
  for (const tenant of config.tenants) {
    try {
      console.log(resultLine(await startOrUpdateCollector(client, config, tenant)));
    } catch (err) {
      failed++;
      console.error(`failed    ${tenant.microsoft.tenantId}: ${(err as Error).message}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

function resultLine(result: TenantStartResult): string {
  const warnings = [result.clampWarning, result.note].filter(Boolean).map((w) => `; warning: ${w}`).join('');
  if (result.outcome === 'started') return `started   ${result.workflowId} from ${result.start}${warnings}`;
  if (result.outcome === 'updated') return `updated   ${result.workflowId}: ${result.changes!.join(', ')}${warnings}`;
  return `unchanged ${result.workflowId}${warnings}`;
}
