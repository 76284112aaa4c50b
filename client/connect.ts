import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { connectingTo, connectionOptions } from '../config/temporal-connection.js';
import { dataConverterFor } from '../codec/data-converter.js';
import { clientTracingInterceptors } from '../tracing/client-interceptors.js';

/**
 * A client with the project's data converter, connected as the SDK's environment configuration says
 * (address, namespace, TLS or API key; see config/temporal-connection.ts); close `connection` on the way
 * out. `address` names another server, such as the embedded dev server, which is reached plainly.
 */
export async function connectClient(config: Config, address = config.temporal.address): Promise<{ client: Client; connection: Connection }> {
  if (!config.payloadKey) throw new Error('PAYLOAD_KEY or PAYLOAD_KEY_FILE is required to talk to the collector');
  const options = connectionOptions(config.temporal.connection ?? { address: config.temporal.address }, address);
  const connection = await connectingTo(options, () => Connection.connect(options));
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config), interceptors: clientTracingInterceptors(config) });
  return { client, connection };
}
