import { Command } from 'commander';
import { startCollector } from '../start-collector.js';
import { withClient } from './with-client.js';

/** `o365-trace start`: start the tenant's collector, or confirm it is already running. */
export function startCommand(): Command {
  return new Command('start').description("start this tenant's collector workflow (idempotent)").action(async () => {
    await withClient(async (client, config) => {
      const result = await startCollector(client, config);
      if (result.clampWarning) console.warn(`warning: ${result.clampWarning}`);
      console.log(result.started ? `started ${result.workflowId} from ${result.start}` : `${result.workflowId} is already running; left as it is`);
      console.log('next: o365-trace status   (workers: o365-trace worker)');
    });
  });
}
