import { Command } from 'commander';
import { collectorWorkflowId } from '../../config/temporal.js';
import { pauseSignal, resumeSignal } from '../../workflows/messages.js';
import { withClient } from './with-client.js';

/** `o365-trace pause [--reason R]`: finish the pages in hand, then wait. */
export function pauseCommand(): Command {
  return new Command('pause')
    .description('pause collection after the pages in hand')
    .option('--reason <text>', 'why, shown in status')
    .action(async (options: { reason?: string }) => {
      await withClient('pause', async (client, config) => {
        await client.workflow.getHandle(collectorWorkflowId(config.microsoft.tenantId)).signal(pauseSignal, { reason: options.reason });
        console.log('pause requested; o365-trace status shows when it took effect');
      });
    });
}

/** `o365-trace resume`: carry on, and retry at once a step that waits on an operator fix. */
export function resumeCommand(): Command {
  return new Command('resume').description('resume collection').action(async () => {
    await withClient('resume', async (client, config) => {
      await client.workflow.getHandle(collectorWorkflowId(config.microsoft.tenantId)).signal(resumeSignal);
      console.log('resumed');
    });
  });
}
