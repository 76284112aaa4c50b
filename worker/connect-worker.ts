import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from '../config/schema.js';
import { connectingTo, connectionOptions } from '../config/temporal-connection.js';

/**
 * No gRPC compression between worker and server. The SDK gzips every request and asks for gzipped answers
 * by default, but what the worker carries is compressed and encrypted already: the codec encrypts every
 * payload, and pulled pages travel deflated (codec/payload-converter.ts). Gzip only spent CPU on both
 * sides: in the bench, about 30% of the dev server's and 12% of the worker's, for no bytes saved.
 */
export const WORKER_GRPC_COMPRESSION: NativeConnectionOptions['grpcCompression'] = { codec: 'none' };

/**
 * The worker's connection, made as the SDK's environment configuration says (address, TLS client
 * certificate or API key; see config/temporal-connection.ts), or plainly to `address` when that names
 * another server, such as the embedded dev server.
 */
export function connectWorker(config: Config, address = config.temporal.address): Promise<NativeConnection> {
  const options = connectionOptions(config.temporal.connection ?? { address: config.temporal.address }, address);
  return connectingTo(options, () => NativeConnection.connect({ ...options, grpcCompression: WORKER_GRPC_COMPRESSION }));
}
