import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle, type WorkflowBundleOption } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { failureConverterPath, payloadConverterPath } from '../codec/data-converter.js';
import { collectorMetricsInterceptor } from './metrics-interceptor.js';

/** The workflow entry module, as TypeScript under tsx or compiled JavaScript under dist/. */
export function workflowsPath(): string {
  for (const name of ['index.ts', 'index.js']) {
    const path = fileURLToPath(new URL(`../workflows/${name}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('workflows/index.{ts,js} not found next to worker/');
}

/** Bundles the workflow code once (webpack, a few seconds); workers created from it start fast. */
export async function bundleWorkflows(): Promise<WorkflowBundle> {
  const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), payloadConverterPath: payloadConverterPath(), failureConverterPath: failureConverterPath(), logger: quietBundlerLogger });
  return { code };
}

const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

/** Everything a collector worker is made of. */
export interface CollectorWorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly dataConverter: DataConverter;
  readonly deps: ActivityDeps;
  /** A prebuilt bundle (code, or a file from `npm run build:workflow`); without one the worker bundles workflows/ itself. */
  readonly workflowBundle?: WorkflowBundleOption;
  readonly identity?: string;
}

/** Creates (does not run) a worker serving the collector workflow and its activities. */
export async function createCollectorWorker(options: CollectorWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    dataConverter: options.dataConverter,
    activities: createActivities(options.deps),
    // Counts records, pages, Microsoft calls and dead letters per tenant; a no-op without a metrics exporter.
    interceptors: { activity: [collectorMetricsInterceptor] },
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: workflowsPath() }),
    ...(options.identity ? { identity: options.identity } : {}),
    // One cached workflow per tenant is plenty; the SDK's default grows with the heap (sdk-typescript#2227).
    maxCachedWorkflows: 100,
    // Each confirmed Devo batch is heartbeated; sent at once rather than throttled (to 0.8 x heartbeat timeout by
    // default), so a send retried after a crash resumes after the last confirmed batch, not the last one the
    // throttle let through. One small call per batch, against a TLS connection per batch.
    maxHeartbeatThrottleInterval: '1ms',
    // Lets an in-flight Devo batch finish its confirmation before shutdown cancels it.
    shutdownGraceTime: '10s',
  });
}
