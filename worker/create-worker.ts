import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle, type WorkflowBundleOption } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { Context as ActivityContext } from '@temporalio/activity';
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { failureConverterPath, payloadConverterPath } from '../codec/data-converter.js';
import { collectorMetricsInterceptor } from './metrics-interceptor.js';
import type { Tracing } from '../tracing/otel.js';

/** The workflow entry module, as TypeScript under tsx or compiled JavaScript under dist/. */
export function workflowsPath(): string {
  for (const name of ['index.ts', 'index.js']) {
    const path = fileURLToPath(new URL(`../workflows/${name}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('workflows/index.{ts,js} not found next to worker/');
}

/**
 * Bundles the workflow code once (webpack, a few seconds); workers created from it start fast. With
 * `tracing`, the OpenTelemetry workflow interceptors go into the bundle (a bundle without them traces
 * activities only).
 */
export async function bundleWorkflows(options: { tracing?: boolean } = {}): Promise<WorkflowBundle> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    payloadConverterPath: payloadConverterPath(),
    failureConverterPath: failureConverterPath(),
    logger: quietBundlerLogger,
    ...(options.tracing && { workflowInterceptorModules: [tracingInterceptorsPath()] }),
  });
  return { code };
}

/** The module of the OpenTelemetry workflow interceptors, as TypeScript under tsx or compiled JavaScript. */
function tracingInterceptorsPath(): string {
  for (const name of ['workflow-interceptors.ts', 'workflow-interceptors.js']) {
    const path = fileURLToPath(new URL(`../tracing/${name}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('tracing/workflow-interceptors.{ts,js} not found next to worker/');
}

/** A span per activity execution, child of the workflow's span through the activity's headers. */
const activityTracingInterceptor = (ctx: ActivityContext) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

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
  /** OpenTelemetry tracing of workflows and activities (tracing/otel.ts); absent: off. */
  readonly tracing?: Tracing;
}

/** Creates (does not run) a worker serving the collector workflow and its activities. */
export async function createCollectorWorker(options: CollectorWorkerOptions): Promise<Worker> {
  const { tracing } = options;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    dataConverter: options.dataConverter,
    activities: createActivities(options.deps),
    // Counts records, pages, Microsoft calls and dead letters per tenant; a no-op without a metrics exporter.
    interceptors: {
      activity: [collectorMetricsInterceptor, ...(tracing ? [activityTracingInterceptor] : [])],
      // Used only when the worker bundles workflows/ itself; a prebuilt bundle carries its own (bundleWorkflows).
      ...(tracing && !options.workflowBundle && { workflowModules: [tracingInterceptorsPath()] }),
    },
    // Workflow spans leave the sandbox through this sink.
    ...(tracing && { sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } }),
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
