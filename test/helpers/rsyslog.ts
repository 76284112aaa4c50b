import { spawn, type ChildProcess } from 'node:child_process';
import { reapOnExit } from './child-reaper.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../dev-server/start-dev-server.js';

/** PEM material for rsyslog's TLS listener. */
export interface RsyslogCertificates {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

/** A real rsyslog daemon (GnuTLS) on loopback, writing every raw message it accepted to a file. */
export interface Rsyslog {
  readonly tlsPort: number;
  readonly tcpPort: number;
  /** Raw syslog messages received so far, in order (each `<PRI>TIMESTAMP HOST TAG: MESSAGE`). */
  messages(): string[];
  /** SIGKILL, as a crash; `start()` brings it back on the same ports. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));

/**
 * Starts rsyslogd in the foreground with its own configuration: a mutual-TLS listener (client
 * certificate signed by the test CA required) and a plain TCP one (relay mode). Messages are written
 * JSON-escaped, one per line, so records with any content come back byte for byte.
 */
export async function startRsyslog(certs: RsyslogCertificates): Promise<Rsyslog> {
  if (!RSYSLOGD) throw new Error('rsyslogd is not installed (apt-get install rsyslog rsyslog-gnutls)');
  const dir = mkdtempSync(join(tmpdir(), 'rsyslog-'));
  for (const [name, pem] of Object.entries({ 'ca.pem': certs.caCert, 'server.pem': certs.serverCert, 'server.key': certs.serverKey })) {
    writeFileSync(join(dir, name), pem, { mode: 0o600 });
  }
  const tlsPort = await freePort();
  const tcpPort = await freePort();
  const out = join(dir, 'messages.log');
  writeFileSync(join(dir, 'rsyslog.conf'), config(dir, out, tlsPort, tcpPort));
  let child: ChildProcess | undefined;
  const start = async () => {
    // A SIGKILLed rsyslogd leaves its pidfile behind, and a new one refuses to start beside it.
    rmSync(join(dir, 'rsyslogd.pid'), { force: true });
    child = reapOnExit(spawn(RSYSLOGD, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] }));
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitForPort(tlsPort, () => (child?.exitCode !== null ? stderr : undefined));
    await waitForPort(tcpPort, () => (child?.exitCode !== null ? stderr : undefined));
  };
  const stopWith = async (signal: NodeJS.Signals) => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };
  await start();
  return {
    tlsPort,
    tcpPort,
    messages: () =>
      existsSync(out)
        ? readFileSync(out, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(`"${line}"`) as string)
        : [],
    kill: () => stopWith('SIGKILL'),
    start,
    stop: () => stopWith('SIGTERM'),
  };
}

function config(dir: string, out: string, tlsPort: number, tcpPort: number): string {
  return `
global(
  workDirectory="${dir}"
  maxMessageSize="512k"
  parser.escapeControlCharactersOnReceive="off"
  defaultNetstreamDriverCAFile="${dir}/ca.pem"
  defaultNetstreamDriverCertFile="${dir}/server.pem"
  defaultNetstreamDriverKeyFile="${dir}/server.key"
)
module(load="imtcp" maxSessions="200")
input(type="imtcp" port="${tlsPort}" address="127.0.0.1" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="x509/certvalid")
input(type="imtcp" port="${tcpPort}" address="127.0.0.1")
template(name="raw" type="string" string="%rawmsg:::json%\\n")
action(type="omfile" file="${out}" template="raw" flushOnTXEnd="on" asyncWriting="off")
`;
}

async function waitForPort(port: number, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const error = failed();
    if (error !== undefined) throw new Error(`rsyslogd exited: ${error}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`rsyslogd did not listen on ${port}`);
}
