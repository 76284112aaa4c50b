import { Command } from 'commander';
import { codecKey, EncryptionCodec } from '../../codec/codec.js';
import { startCodecServer } from '../../codec/codec-server.js';
import { configOrExit } from './config-or-exit.js';

/** `o365-trace codec-server`: lets the Temporal UI show decrypted payloads to those who may see them. */
export function codecServerCommand(): Command {
  return new Command('codec-server')
    .description('serve /encode and /decode for the Temporal UI with the collector payload key')
    .option('--port <port>', 'listen port', '8888')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--ui-origin <origin>', 'the Temporal UI origin allowed by CORS', 'http://127.0.0.1:8233')
    .action(async (options: { port: string; host: string; uiOrigin: string }) => {
      const config = configOrExit('codec');
      const bearerToken = config.codecServerToken;
      const { url } = await startCodecServer({
        codec: new EncryptionCodec([codecKey(config.payloadKey!)]),
        host: options.host,
        port: Number(options.port),
        allowOrigin: options.uiOrigin,
        bearerToken,
      });
      console.log(`codec server on ${url} for the UI at ${options.uiOrigin}${bearerToken ? ' (bearer token required)' : ''}`);
    });
}
