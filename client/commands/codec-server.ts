import { Command } from 'commander';
import { createCodec } from '../../codec/data-converter.js';
import { CodecServerAccessError, MAX_INFLATED_BYTES, startCodecServer } from '../../codec/codec-server.js';
import { configOrExit } from './config-or-exit.js';

interface CodecServerFlags {
  port: string;
  host: string;
  uiOrigin: string;
  allowedHosts?: string;
  anonymousOnLoopback?: boolean;
}

/**
 * `o365-trace codec-server`: lets the Temporal UI show decrypted payloads to those who may see them. It
 * requires CODEC_SERVER_TOKEN or the UI's OIDC issuer (CODEC_SERVER_OIDC_ISSUER); anonymous access only
 * on a loopback address and only with --anonymous-on-loopback.
 */
export function codecServerCommand(): Command {
  return new Command('codec-server')
    .description('serve /encode and /decode for the Temporal UI with the collector payload key')
    .option('--port <port>', 'listen port', '8888')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--ui-origin <origin>', 'the Temporal UI origin allowed by CORS', 'http://127.0.0.1:8233')
    .option('--allowed-hosts <names>', 'comma-separated host names the Host header may carry (default: localhost, 127.0.0.1, ::1 and --host)')
    .option('--anonymous-on-loopback', 'serve without a token (refused unless --host is a loopback address)')
    .action(async (options: CodecServerFlags) => {
      const config = configOrExit('codec');
      try {
        const { url } = await startCodecServer({
          codec: createCodec(config.payloadKey!, config.previousPayloadKeys, { maxInflatedBytes: MAX_INFLATED_BYTES }),
          host: options.host,
          port: Number(options.port),
          allowOrigin: options.uiOrigin,
          allowedHosts: options.allowedHosts?.split(',').map((name) => name.trim()).filter(Boolean),
          bearerToken: config.codecServerToken,
          oidc: config.codecServerOidc,
          allowAnonymous: options.anonymousOnLoopback === true,
        });
        const access = [config.codecServerToken && 'bearer token', config.codecServerOidc && `OIDC access tokens of ${config.codecServerOidc.issuer}`, options.anonymousOnLoopback && 'anonymous (loopback)'].filter(Boolean);
        console.log(`codec server on ${url} for the UI at ${options.uiOrigin}; access: ${access.join(' or ')}`);
      } catch (err) {
        if (!(err instanceof CodecServerAccessError)) throw err;
        console.error(`o365-trace codec-server: ${err.message}`);
        process.exit(2);
      }
    });
}
