import { after } from 'node:test';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type TelemetryOptions, type WorkflowBundle } from '@temporalio/worker';
import { createDataConverter } from '../../codec/data-converter.js';
import { startDevServer } from '../../dev-server/start-dev-server.js';
import { bundleWorkflows } from '../../worker/create-worker.js';
import { WORKER_GRPC_COMPRESSION } from '../../worker/connect-worker.js';
import { REPLAY_KEY } from '../replay/history-files.js';

/** What a workflow test needs: a real server, a client and worker connection, both with the codec. */
export interface TemporalTestEnv {
  readonly address: string;
  readonly client: Client;
  readonly nativeConnection: NativeConnection;
  readonly payloadKey: Buffer;
  readonly dataConverter: ReturnType<typeof createDataConverter>;
  readonly workflowBundle: WorkflowBundle;
}

let shared: Promise<TemporalTestEnv> | undefined;
let teardown: (() => Promise<void>) | undefined;

// Registered when this module is imported, at the root of the test file, so it runs after every test in it.
after(() => stopTemporalTestEnv());

/** Closes the connections and stops the dev server this file started; scripts outside node:test call it themselves. */
export async function stopTemporalTestEnv(): Promise<void> {
  await teardown?.();
  teardown = undefined;
}

/**
 * The Temporal environment for this test file: the server named by TEMPORAL_ADDRESS (npm test starts one
 * for the whole run), or a dev server of its own when a file runs alone. Torn down after the file's tests.
 * `telemetry` (e.g. a metrics exporter) applies only to the file's first call, which installs the Runtime.
 */
export function temporalTestEnv(telemetry?: TelemetryOptions): Promise<TemporalTestEnv> {
  shared ??= create(telemetry);
  return shared;
}

async function create(telemetry: TelemetryOptions | undefined): Promise<TemporalTestEnv> {
  // Warnings and errors only: the activities' info lines would bury the test report.
  Runtime.install({ logger: new DefaultLogger((process.env.TEMPORAL_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN'), ...(telemetry ? { telemetryOptions: telemetry } : {}) });
  let address = process.env.TEMPORAL_ADDRESS;
  let stopServer: (() => Promise<void>) | undefined;
  if (!address) {
    const server = await startDevServer();
    address = server.address;
    stopServer = () => server.stop();
  }
  // The replay fixtures' test-only key, so any history a test records can be replayed later.
  const payloadKey = REPLAY_KEY;
  const dataConverter = createDataConverter(payloadKey);
  const connection = await Connection.connect({ address });
  // Test workers connect as the collector's workers do (worker/connect-worker.ts).
  const nativeConnection = await NativeConnection.connect({ address, grpcCompression: WORKER_GRPC_COMPRESSION });
  const client = new Client({ connection, dataConverter });
  const workflowBundle = await bundleWorkflows();
  teardown = async () => {
    await connection.close();
    await nativeConnection.close();
    await stopServer?.();
  };
  return { address, client, nativeConnection, payloadKey, dataConverter, workflowBundle };
}

/** A task queue unique to one test, named after it, so tests never steal each other's tasks. */
export function uniqueTaskQueue(title: string): string {
  return `${title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}-${randomUUID().slice(0, 8)}`;
}
