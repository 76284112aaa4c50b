import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { createDataConverter } from '../codec/data-converter.js';

/** A client with the project's data converter; close `connection` on the way out. */
export async function connectClient(config: Config, address = config.temporal.address): Promise<{ client: Client; connection: Connection }> {
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set (only `o365-trace run` embeds a dev server)');
  if (!config.payloadKey) throw new Error('PAYLOAD_KEY or PAYLOAD_KEY_FILE is required to talk to the collector');
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.payloadKey) });
  return { client, connection };
}
