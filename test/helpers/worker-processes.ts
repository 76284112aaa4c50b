import { spawn, type ChildProcess } from 'node:child_process';
import { reapOnExit } from './child-reaper.js';
import { once } from 'node:events';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import type { CertificatePaths } from '../../devo/certificates.js';
import { REPLAY_KEY } from '../replay/history-files.js';

/** What worker processes are pointed at in a test: the emulator, the receiver, the Temporal server. */
export interface WorkerSetup {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly taskQueue: string;
  readonly temporalAddress: string;
  readonly emulatorUrl: string;
  readonly receiverPort: number;
  readonly certs: CertificatePaths;
  readonly batchSize: number;
  readonly dataDir: string;
  /** A prebuilt workflow bundle; without one each worker bundles at start. */
  readonly bundle?: string;
}

/** The configuration a deployment would give the workers, pointed at a test's parts (the replay key as payload key). */
export function workerEnvironment(w: WorkerSetup): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    O365_TENANT_ID: w.tenantId,
    O365_CLIENT_ID: w.clientId,
    O365_CLIENT_SECRET: w.clientSecret,
    O365_LOGIN_URL: w.emulatorUrl,
    O365_GRAPH_URL: w.emulatorUrl,
    O365_REPORTING_URL: w.emulatorUrl,
    O365_ALLOW_ANY_ENDPOINT: 'true',
    DEVO_ADDRESS: '127.0.0.1',
    DEVO_PORT: String(w.receiverPort),
    DEVO_CERT: w.certs.clientCert,
    DEVO_KEY: w.certs.clientKey,
    DEVO_CHAIN: w.certs.caCert,
    DEVO_BATCH_SIZE: String(w.batchSize),
    TEMPORAL_ADDRESS: w.temporalAddress,
    TEMPORAL_TASK_QUEUE: w.taskQueue,
    PAYLOAD_KEY: REPLAY_KEY.toString('base64'),
    O365_DATA_DIR: w.dataDir,
    ...(w.bundle ? { O365_WORKFLOW_BUNDLE: w.bundle } : {}),
    LOG_LEVEL: 'warn',
    TEMPORAL_LOG_LEVEL: 'WARN',
  };
}

/**
 * `o365-trace worker` processes started with one environment (the configuration a deployment would give
 * them), which a test can SIGKILL and replace. The stderr of all of them is kept (its tail) for error
 * messages.
 */
export class WorkerProcesses {
  private readonly children: ChildProcess[] = [];
  private stderrTail = '';

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Starts one more worker process; it bundles the workflow code, then polls the task queue. */
  start(): ChildProcess {
    const child = reapOnExit(spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'client/cli.ts'), 'worker'], { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] }));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000)));
    this.children.push(child);
    return child;
  }

  /** The workers that have not exited. */
  alive(): ChildProcess[] {
    return this.children.filter((c) => c.exitCode === null && c.signalCode === null);
  }

  /** SIGKILLs every live worker, as a machine dying would (no drain, no goodbye to the server). */
  async killAll(): Promise<void> {
    await Promise.all(
      this.alive().map(async (child) => {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
  }

  /** The last few kilobytes the workers wrote to stderr. */
  stderr(): string {
    return this.stderrTail.trim() || 'none';
  }
}
