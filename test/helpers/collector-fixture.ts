import type { TestContext } from 'node:test';
import { randomUUID } from 'node:crypto';
import type { DataConverter } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { ActivityDeps } from '../../activities/deps.js';
import type { Config, MicrosoftConfig } from '../../config/schema.js';
import { generateCertificateSet, type CertificateSet } from '../../devo/certificates.js';
import { syslogTransport, type DevoTransport } from '../../devo/transport.js';
import { startDevoReceiver, type DevoReceiver } from '../../emulator/devo-receiver/index.js';
import { startMicrosoftEmulator, type MicrosoftEmulator, type MicrosoftEmulatorOptions } from '../../emulator/microsoft-365/index.js';
import { activityDepsFromConfig } from '../../worker/activity-deps.js';
import { createCollectorWorker, type CollectorWorkerOptions } from '../../worker/create-worker.js';
import type { messageTraceCollector } from '../../workflows/index.js';
import { statusQuery } from '../../workflows/messages.js';
import type { CollectorSettings, CollectorStatus } from '../../workflows/state.js';
import { temporalTestEnv, uniqueTaskQueue, type TemporalTestEnv } from './temporal.js';
import { waitUntil } from './wait-until.js';

export const TAG = 'cloud.office365.messagetracing';
const CLIENT_ID = 'test-client';
const CLIENT_SECRET = 'test-secret-value';

let certificates: Promise<CertificateSet> | undefined;

/** Everything one collector test runs against: a real server, the emulator, a real TLS receiver, a worker. */
export interface CollectorFixture {
  readonly env: TemporalTestEnv;
  readonly emulator: MicrosoftEmulator;
  readonly receiver: DevoReceiver;
  readonly worker: Worker;
  readonly config: Config;
  readonly taskQueue: string;
  readonly tenantId: string;
  /** Starts the collector and returns its handle. */
  start(settings: Partial<CollectorSettings> & { start: string }): Promise<WorkflowHandleWithFirstExecutionRunId<typeof messageTraceCollector>>;
  /** Runs the worker until a collector started with `settings` has caught up; returns that status. */
  collectUntilCaughtUp(settings: Partial<CollectorSettings> & { start: string }): Promise<CollectorStatus>;
  /** Waits until the status query satisfies `done`, then returns that status. */
  waitForStatus(handle: WorkflowHandle, done: (s: CollectorStatus) => boolean, timeoutMs?: number): Promise<CollectorStatus>;
  /** Records that reached the receiver under the Devo tag, parsed. */
  delivered(): Record<string, unknown>[];
  /** Another worker on the same task queue and dependencies, with its own data converter (e.g. other keys). */
  workerWith(dataConverter: DataConverter): Promise<Worker>;
}

/**
 * Builds the fixture for one test; everything it starts is torn down after that test, so tests only
 * describe behaviour. The emulator and the receiver are the project's own; the TLS is real.
 */
export async function collectorFixture(
  t: TestContext,
  emulatorOptions: Omit<MicrosoftEmulatorOptions, 'clientId' | 'clientSecret'>,
  source: 'graph' | 'reporting' = 'graph',
  /** Changes to the worker's real activity dependencies, e.g. `{ pulledChunks: undefined }`. */
  depsOverrides: Partial<ActivityDeps> = {},
  /** What else differs from the defaults: the Devo transport every send goes through instead of the
   * receiver's TLS port (e.g. one that fails), the worker's Microsoft settings (e.g. `{ credential }`), and
   * worker options (e.g. tracing with a bundle that carries its interceptors). */
  options: { devoTransport?: DevoTransport; microsoft?: Partial<MicrosoftConfig>; worker?: Partial<Pick<CollectorWorkerOptions, 'tracing' | 'workflowBundle'>> } = {},
): Promise<CollectorFixture> {
  const env = await temporalTestEnv();
  certificates ??= generateCertificateSet();
  const certs = await certificates;
  const emulator = await startMicrosoftEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...emulatorOptions });
  const receiver = await startDevoReceiver({ tls: { port: 0, certs } });
  const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
  const taskQueue = uniqueTaskQueue(t.name);
  const base = testConfig(tenantId, source, emulator.url, taskQueue);
  const config: Config = { ...base, microsoft: { ...base.microsoft, ...options.microsoft } };
  const devo = options.devoTransport ?? syslogTransport({ transport: 'tls', host: '127.0.0.1', port: receiver.tlsPort!, cert: certs.clientCert, key: certs.clientKey, ca: certs.caCert });
  const deps = { ...activityDepsFromConfig(config, devo), ...depsOverrides };
  const workerWith = (dataConverter: DataConverter) =>
    createCollectorWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, dataConverter, deps, workflowBundle: env.workflowBundle, ...options.worker });
  const worker = await workerWith(env.dataConverter);
  t.after(async () => {
    await receiver.close();
    await emulator.close();
  });
  const fixture: CollectorFixture = {
    env,
    emulator,
    receiver,
    worker,
    config,
    taskQueue,
    tenantId,
    async start({ start, ...overrides }) {
      const settings: CollectorSettings = { tenantId, source, windowMs: 5 * 60_000, lagMs: 15 * 60_000, pageSize: 500, blockedRetryMs: 1_000, errorRetryMs: 1_000, ...overrides };
      return env.client.workflow.start<typeof messageTraceCollector>('messageTraceCollector', {
        workflowId: `o365-message-trace/${tenantId}`,
        taskQueue,
        args: [{ settings, start }],
      });
    },
    async collectUntilCaughtUp(settings) {
      return worker.runUntil(async () => {
        const handle = await fixture.start(settings);
        const caughtUp = await fixture.waitForStatus(handle, (s) => s.caughtUp);
        await handle.terminate('test done');
        return caughtUp;
      });
    },
    async waitForStatus(handle, done, timeoutMs = 240_000) {
      return waitUntil(
        async () => {
          const status = await handle.query(statusQuery);
          return done(status) ? status : undefined;
        },
        { timeoutMs, intervalMs: 250, what: 'collector status' },
      );
    },
    delivered: () => receiver.eventsForTag(TAG).map((e) => JSON.parse(e.message) as Record<string, unknown>),
    workerWith,
  };
  return fixture;
}

function testConfig(tenantId: string, source: 'graph' | 'reporting', url: string, taskQueue: string): Config {
  return {
    microsoft: {
      tenantId,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      source,
      loginUrl: url,
      graphUrl: url,
      reportingUrl: url,
      start: '2h',
      windowMs: 5 * 60_000,
      lagMs: 15 * 60_000,
      pageSize: 500,
      retentionMarginMs: 3_600_000,
    },
    devo: { transport: 'tls', address: '127.0.0.1', port: 0, tag: TAG, hostname: 'collector-test', batchSize: 200 },
    temporal: { namespace: 'default', taskQueue },
    dataDir: '.data/test',
    demo: false,
  };
}
