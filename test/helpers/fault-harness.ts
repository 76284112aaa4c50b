import { after, type TestContext } from 'node:test';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { createDataConverter } from '../../codec/data-converter.js';
import { freePort, startDevServer, type DevServer } from '../../dev-server/start-dev-server.js';
import { generateCertificateSet, writeCertificateSet, type CertificatePaths } from '../../devo/certificates.js';
import { generateDataset, startMicrosoftEmulator, type Fault, type MicrosoftEmulator, type TraceDataset } from '../../emulator/microsoft-365/index.js';
import { recordKey, type TraceRecord } from '../../microsoft/records.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { bundleWorkflows } from '../../worker/create-worker.js';
import type { messageTraceCollector } from '../../workflows/index.js';
import { statusQuery } from '../../workflows/messages.js';
import { SEARCH_ATTRIBUTE_FLAGS } from '../../workflows/search-attributes.js';
import type { CollectorSettings, CollectorStatus } from '../../workflows/state.js';
import { REPLAY_KEY } from '../replay/history-files.js';
import { accountFor } from './accounting.js';
import type { ScenarioResult } from './fault-report.js';
import { graphTruth, settledDataset } from './ground-truth.js';
import { ReceiverProcess } from './receiver-process.js';
import { cursorIsMonotone, StatusSampler } from './status-sampler.js';
import { waitUntil } from './wait-until.js';
import { WorkerProcesses, workerEnvironment } from './worker-processes.js';

const MIN = 60_000;
const WINDOW_MS = 5 * MIN;
const TAG = 'cloud.office365.messagetracing';
const CLIENT_ID = 'fault-client';
const CLIENT_SECRET = 'fault-secret-value';
/** Records per confirmed Devo batch in every scenario; half a page, so resuming inside a page is exercised. */
export const FAULT_BATCH = 250;

/** The mail every scenario of a run collects: settled rows from 2 h back to now, shared by their emulators. */
export interface FaultDataset {
  readonly dataset: TraceDataset;
  readonly startMs: number;
}

/** 26,000 rows over 2 h; 5-minute windows behind a 15-minute lag leave 21 windows and over 20,000 rows in range. */
export function faultDataset(nowMs = Date.now()): FaultDataset {
  const startMs = alignDown(nowMs - 120 * MIN, WINDOW_MS);
  return { startMs, dataset: generateDataset(settledDataset({ records: 26_000, startMs, endMs: nowMs })) };
}

/** One scenario's stack. */
export interface FaultHarnessOptions {
  /** The scenario's name in the table. */
  readonly scenario: string;
  readonly data: FaultDataset;
  /** Faults scripted into the emulator before the collector starts. */
  readonly faults?: Fault[];
  /** A dev server of its own on a database file, so the scenario can restart it; else the run's shared one. */
  readonly ownTemporal?: boolean;
  /** The receiver's first start holds the batch that brings it to this many events, unconfirmed. */
  readonly receiverStallAfterEvents?: number;
  readonly settings?: Partial<CollectorSettings>;
}

/** A running scenario: every part is real and separate (worker and receiver processes, a dev server). */
export interface FaultHarness {
  readonly emulator: MicrosoftEmulator;
  readonly receiver: ReceiverProcess;
  readonly workers: WorkerProcesses;
  readonly handle: WorkflowHandle<typeof messageTraceCollector>;
  /** The client that started the collector, with the data converter that decodes its payloads and failures. */
  readonly client: Client;
  readonly sampler: StatusSampler;
  /** Counts a fault the scenario caused itself (a kill, a restart, an outage) for the table. */
  note(fault: string): void;
  /** How many records the receiver has stored so far, across its restarts. */
  delivered(): number;
  /** How many of those repeat an earlier one. */
  duplicates(): number;
  /** Stops the scenario's own dev server and starts it again on the same database file and port. */
  restartTemporal(): Promise<void>;
  /** Waits until the sampled status satisfies `done`, and returns it. */
  waitForStatus(done: (s: CollectorStatus) => boolean, what: string, timeoutMs?: number): Promise<CollectorStatus>;
  /** Waits until caught up, ends the collector and accounts what Devo received against the ground truth. */
  finish(expect: { duplicateBound: number }): Promise<ScenarioResult>;
}

let certificates: Promise<CertificatePaths> | undefined;
let workflowBundle: Promise<string> | undefined;
/** Certificates and the workflow bundle, shared by the run's scenarios; removed after the test file. */
const runDir = mkdtempSync(join(tmpdir(), 'o365-fault-run-'));
after(() => rmSync(runDir, { recursive: true, force: true }));

/** The workflow code bundled once per run, as a deployment's prebuilt bundle: workers then skip webpack. */
function workflowBundleFile(): Promise<string> {
  workflowBundle ??= bundleWorkflows().then(({ code }) => {
    const path = join(runDir, 'workflow-bundle.js');
    writeFileSync(path, code);
    return path;
  });
  return workflowBundle;
}

/**
 * Starts one scenario's stack: the Microsoft emulator over the shared dataset, the Devo receiver and an
 * `o365-trace worker` as processes, Temporal (shared or its own), and the collector, whose status is
 * sampled from then on. Everything is torn down after the test.
 */
export async function startFaultHarness(t: TestContext, options: FaultHarnessOptions): Promise<FaultHarness> {
  const began = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'o365-fault-'));
  certificates ??= generateCertificateSet().then((set) => writeCertificateSet(set, join(runDir, 'certs')));
  const certs = await certificates;
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => rmSync(dir, { recursive: true, force: true })];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const ownServer = options.ownTemporal || !process.env.TEMPORAL_ADDRESS;
  const temporal = await temporalFor(ownServer ? join(dir, 'temporal.db') : undefined);
  cleanups.push(() => temporal.close());
  const emulator = await startMicrosoftEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, dataset: options.data.dataset, quota: null });
  cleanups.push(() => emulator.close());
  if (options.faults) emulator.faults.add(options.faults);
  const receiver = new ReceiverProcess({ certsDir: dirname(certs.caCert), outDir: join(dir, 'devo') });
  cleanups.push(() => receiver.kill());
  await receiver.start({ stallAfterEvents: options.receiverStallAfterEvents });

  const tenantId = `fault-${randomUUID().slice(0, 8)}`;
  const taskQueue = `faults-${tenantId}`;
  const workers = new WorkerProcesses(
    workerEnvironment({ tenantId, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, taskQueue, temporalAddress: temporal.address, emulatorUrl: emulator.url, receiverPort: receiver.port, certs, batchSize: FAULT_BATCH, dataDir: join(dir, 'worker'), bundle: await workflowBundleFile() }),
  );
  cleanups.push(() => workers.killAll());
  workers.start();

  const settings: CollectorSettings = { tenantId, source: 'graph', windowMs: WINDOW_MS, lagMs: 15 * MIN, pageSize: 500, blockedRetryMs: 5_000, errorRetryMs: 2_000, ...options.settings };
  const handle = await temporal.client.workflow.start<typeof messageTraceCollector>('messageTraceCollector', {
    workflowId: `o365-message-trace/${tenantId}`,
    taskQueue,
    args: [{ settings, start: iso(options.data.startMs) }],
  });
  cleanups.push(() => handle.terminate('scenario torn down').catch(() => undefined));
  const sampler = new StatusSampler(() => handle.query(statusQuery), 1_000);
  cleanups.push(() => sampler.stop());
  const noted: Record<string, number> = {};

  const harness: FaultHarness = {
    emulator,
    receiver,
    workers,
    handle,
    client: temporal.client,
    sampler,
    note: (fault) => void (noted[fault] = (noted[fault] ?? 0) + 1),
    delivered: () => receiver.records(TAG).length,
    duplicates: () => {
      const keys = receiver.records(TAG).map(recordKey);
      return keys.length - new Set(keys).size;
    },
    restartTemporal: () => temporal.restart(),
    async waitForStatus(done, what, timeoutMs = 480_000) {
      try {
        return await waitUntil(() => {
          const status = sampler.latest();
          return status && done(status) ? status : undefined;
        }, { timeoutMs, intervalMs: 200, what });
      } catch (err) {
        throw new Error(`${options.scenario}: ${(err as Error).message}; last status ${JSON.stringify(sampler.latest())}; worker stderr: ${workers.stderr()}`);
      }
    },
    async finish({ duplicateBound }) {
      const done = await harness.waitForStatus((s) => s.caughtUp, 'the collector to catch up');
      await handle.terminate('scenario done');
      const samples = await sampler.stop();
      const { startMs } = options.data;
      const cursorMs = Date.parse(done.cursor);
      const expected = graphTruth(emulator, startMs, cursorMs);
      const delivered = receiver.records(TAG);
      const account = accountFor(delivered, expected);
      const windows = (cursorMs - startMs) / WINDOW_MS;
      return {
        scenario: options.scenario,
        records: expected.length,
        missing: account.missing.length,
        duplicates: account.duplicates,
        duplicateBound,
        unexpectedOrAltered: account.unexpected.length + account.altered.length,
        windowsSkipped: Math.max(windowsWithNothingDelivered(expected, delivered, startMs), windows - done.totals.windows),
        windows,
        cursorMonotone: cursorIsMonotone(samples, startMs, WINDOW_MS),
        cursorSamples: samples.length,
        faults: { ...emulator.faults.served(), ...noted },
        faultsNeverServed: emulator.faults.pending().length,
        seconds: Math.round((Date.now() - began) / 1000),
      };
    },
  };
  return harness;
}

/** Windows whose ground truth has records of which not one was delivered. */
function windowsWithNothingDelivered(expected: TraceRecord[], delivered: TraceRecord[], startMs: number): number {
  const arrived = new Set(delivered.map(recordKey));
  const windows = new Map<number, boolean>();
  for (const record of expected) {
    const index = Math.floor((Date.parse(String(record.receivedDateTime)) - startMs) / WINDOW_MS);
    windows.set(index, (windows.get(index) ?? false) || arrived.has(recordKey(record)));
  }
  return [...windows.values()].filter((any) => !any).length;
}

interface TemporalSide {
  readonly address: string;
  readonly client: Client;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A client on the run's shared server (TEMPORAL_ADDRESS), or, given a database file, on a dev server of
 * the scenario's own, so that stopping and starting it again loses nothing.
 */
async function temporalFor(dbFile: string | undefined): Promise<TemporalSide> {
  let server: DevServer | undefined;
  const port = await freePort();
  const startServer = () => startDevServer({ dbFile, port, searchAttributes: SEARCH_ATTRIBUTE_FLAGS });
  if (dbFile) server = await startServer();
  const address = server?.address ?? process.env.TEMPORAL_ADDRESS!;
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, dataConverter: createDataConverter(REPLAY_KEY) });
  return {
    address,
    client,
    async restart() {
      if (!server) throw new Error('only a scenario with its own dev server (ownTemporal) can restart it');
      await server.stop();
      server = await startServer();
    },
    async close() {
      await connection.close();
      await server?.stop();
    },
  };
}
