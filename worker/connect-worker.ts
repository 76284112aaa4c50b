import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config/schema.js';
import { connectingTo, connectionOptions } from '../config/temporal-connection.js';

/**
 * The worker's connection, made as the SDK's environment configuration says (address, TLS client
 * certificate or API key; see config/temporal-connection.ts), or plainly to `address` when that names
 * another server, such as the embedded dev server.
 */
export function connectWorker(config: Config, address = config.temporal.address): Promise<NativeConnection> {
  const options = connectionOptions(config.temporal.connection ?? { address: config.temporal.address }, address);
  return connectingTo(options, () => NativeConnection.connect(options));
}
