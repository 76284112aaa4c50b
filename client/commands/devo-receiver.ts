import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { loadOrCreateCertificateSet } from '../../devo/certificates.js';
import { startDevoReceiver, type DevoReceiverOptions } from '../../emulator/devo-receiver/index.js';

interface Flags {
  host: string;
  tlsPort: string;
  tcpPort?: string;
  httpPort?: string;
  httpToken?: string;
  httpDomain: string;
  certsDir: string;
  certHostname: string[];
  outDir: string;
}

/**
 * `o365-trace devo-receiver`: the local Devo receiver on its own. Mutual TLS always (certificates are
 * generated into --certs-dir when missing, and the collector uses client.pem/client.key/ca.pem from
 * there); plain TCP and HTTP when their ports are given (0 picks one). Runs until SIGINT or SIGTERM.
 */
export function devoReceiverCommand(): Command {
  return new Command('devo-receiver')
    .description('run the local Devo receiver: mutual-TLS syslog, and optionally plain TCP (relay) and HTTP stream ingestion')
    .option('--host <address>', 'listen address', '127.0.0.1')
    .option('--tls-port <port>', 'mutual-TLS syslog port (0: any free port)', '6514')
    .option('--tcp-port <port>', 'plain-TCP syslog port, like a Devo relay (0: any free port; default: none)')
    .option('--http-port <port>', 'HTTP /stream ingestion port (0: any free port; default: none)')
    .option('--http-token <token>', 'token the HTTP endpoint requires (default: any token)')
    .option('--http-domain <domain>', 'domain the HTTP endpoint accepts', 'local')
    .option('--certs-dir <dir>', 'certificate set, generated when missing', '.data/certs')
    .option('--cert-hostname <names...>', 'names a generated server certificate is valid for (the collector checks DEVO_ADDRESS against them)', ['localhost', '127.0.0.1', '::1'])
    .option('--out-dir <dir>', 'events are appended to <dir>/<tag>.jsonl', '.data/devo')
    .exitOverride(exitOnParseError)
    .action(async (flags: Flags) => {
      const problems: string[] = [];
      const port = (value: string | undefined, flag: string): number | undefined => {
        if (value === undefined) return undefined;
        if (/^\d{1,5}$/.test(value) && Number(value) <= 65_535) return Number(value);
        problems.push(`${flag}: expected a port number 0-65535, got ${JSON.stringify(value)}`);
        return undefined;
      };
      const tlsPort = port(flags.tlsPort, '--tls-port');
      const tcpPort = port(flags.tcpPort, '--tcp-port');
      const httpPort = port(flags.httpPort, '--http-port');
      if (flags.host.trim() === '') problems.push('--host: expected a listen address');
      if (problems.length > 0) {
        for (const line of problems) console.error(`o365-trace devo-receiver: ${line}`);
        process.exit(2);
      }
      const certsDir = resolve(flags.certsDir);
      const outDir = resolve(flags.outDir);
      const { set, created } = await loadOrCreateCertificateSet(certsDir, { hostnames: flags.certHostname });
      const options: DevoReceiverOptions = {
        host: flags.host,
        tls: { port: tlsPort, certs: set },
        ...(tcpPort !== undefined ? { tcp: { port: tcpPort } } : {}),
        ...(httpPort !== undefined ? { http: { port: httpPort, token: flags.httpToken, domain: flags.httpDomain } } : {}),
        outDir,
      };
      const receiver = await startDevoReceiver(options);
      const where = [
        `tls://${flags.host}:${receiver.tlsPort}`,
        ...(receiver.tcpPort !== undefined ? [`tcp://${flags.host}:${receiver.tcpPort}`] : []),
        ...(receiver.httpPort !== undefined ? [`http://${flags.host}:${receiver.httpPort}/stream/${flags.httpDomain}/token!…/{host}/{tag}`] : []),
      ];
      console.log(`devo receiver listening on ${where.join(', ')}; certificates ${created ? 'created' : 'reused'} in ${certsDir} (client.pem, client.key, ca.pem); events appended to ${outDir}/<tag>.jsonl`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      await receiver.close();
    });
}

/** Commander already printed its one line; a bad flag is a configuration error, exit 2 (help: 0). */
function exitOnParseError(err: CommanderError): never {
  process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.exitCode === 0 ? 0 : 2);
}
