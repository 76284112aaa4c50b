import { Command } from 'commander';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config/schema.js';
import { startCollector, startOrUpdateCollector, type StartOptions, type TenantStartResult } from '../start-collector.js';
import { startedLine, unansweredLine } from '../start-lines.js';
import { withClient } from './with-client.js';

/** `o365-trace start [--all] [--from-scratch]`: start this tenant's collector, or every tenant's of O365_TENANTS_FILE. */
export function startCommand(): Command {
  const command = new Command('start')
    .description(
      "start this tenant's collector workflow (idempotent); a collector whose last run was closed restarts from that run's cursor; --all: every tenant of O365_TENANTS_FILE, updating running ones",
    )
    .option('--all', 'start or update one collector per tenant of O365_TENANTS_FILE')
    .option('--from-scratch', "start a collector whose last run was closed from O365_START, not from that run's cursor")
    .action(async (flags: { all?: boolean; fromScratch?: boolean }) => {
      await withClient('start', async (client, config) => {
        const options: StartOptions = { fromScratch: flags.fromScratch };
        if (flags.all) {
          process.exitCode = await startAll(client, config, options);
          return;
        }
        const result = await startCollector(client, config, {}, options);
        if (result.clampWarning) console.warn(`warning: ${result.clampWarning}`);
        console.log(startedLine(result));
        const waiting = unansweredLine(result);
        if (waiting) console.log(waiting);
        console.log('next: o365-trace status   (workers: o365-trace worker)');
      });
    });
  return command;
}

/** One line per tenant (started, updated or unchanged); a tenant that fails does not stop the others. Returns the exit code. */
async function startAll(client: Client, config: Config, options: StartOptions): Promise<number> {
  if (!config.tenants) {
    console.error('o365-trace: invalid configuration\n  O365_TENANTS_FILE: required for start --all');
    return 2;
  }
  let failed = 0;
  for (const tenant of config.tenants) {
    try {
      console.log(resultLine(await startOrUpdateCollector(client, config, tenant, options)));
    } catch (err) {
      failed++;
      console.error(`failed    ${tenant.microsoft.tenantId}: ${(err as Error).message}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

function resultLine(result: TenantStartResult): string {
  const warnings = [result.clampWarning, result.note, unansweredLine(result)].filter(Boolean).map((w) => `; warning: ${w}`).join('');
  if (result.outcome === 'started') return `${startedLine(result).replace(/^started /, 'started   ')}${warnings}`;
  if (result.outcome === 'updated') return `updated   ${result.workflowId}: ${result.changes!.join(', ')}${warnings}`;
  return `unchanged ${result.workflowId}${warnings}`;
}
