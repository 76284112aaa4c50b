import type { Client } from '@temporalio/client';
import type { Config } from '../../config/schema.js';
import { flushTracing } from '../../tracing/otel.js';
import { connectClient } from '../connect.js';
import { configOrExit } from './config-or-exit.js';

/**
 * Runs a client command body with the configuration and a connected client, closing it on the way out.
 * `command` names the subcommand in the configuration error when TEMPORAL_ADDRESS is missing.
 */
export async function withClient<T>(command: string, body: (client: Client, config: Config) => Promise<T>): Promise<T> {
  const config = configOrExit('client', { serverNeededFor: `for \`${command}\`` });
  const { client, connection } = await connectClient(config);
  try {
    return await body(client, config);
  } finally {
    await flushTracing();
    await connection.close();
  }
}
