import { Command } from 'commander';
import { connectClient } from '../connect.js';
import { startCollector } from '../start-collector.js';
import { configOrExit } from './config-or-exit.js';

/** `o365-trace start`: start the tenant's collector, or confirm it is already running. */
export function startCommand(): Command {
  return new Command('start').description("start this tenant's collector workflow (idempotent)").action(async () => {
    const config = configOrExit('client');
    const { client, connection } = await connectClient(config);
    try {
      const result = await startCollector(client, config);
      if (result.clampWarning) console.warn(`warning: ${result.clampWarning}`);
      console.log(result.started ? `started ${result.workflowId} from ${result.start}` : `${result.workflowId} is already running; left as it is`);
      console.log('next: o365-trace status   (workers: o365-trace worker)');
    } finally {
      await connection.close();
    }
  });
}
