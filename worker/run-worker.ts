import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Config } from '../config/schema.js';
import { dataConverterFor } from '../codec/data-converter.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { DevoTransport } from '../devo/transport.js';
import { activityDepsFromConfig } from './activity-deps.js';
import { DEVO_CERTIFICATE_GAUGE_INTERVAL_MS, reportDevoCertificateExpiry } from './devo-certificate-gauge.js';
import { createCollectorWorker } from './create-worker.js';
import { connectWorker } from './connect-worker.js';
import { bundleTraces, flushTracing, startTracing } from '../tracing/otel.js';
import { metricsUrl, prometheusTelemetry } from '../metrics/prometheus.js';

let runtimeInstalled = false;

/**
 * Routes the SDK's and the activities' logs into the project's structured logger and, with a
 * `metricsAddress`, serves Prometheus metrics there (once per process).
 */
export function installRuntimeLogger(logger: Logger, metricsAddress?: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (process.env.TEMPORAL_LOG_LEVEL ?? 'INFO') as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
      const method = l === 'TRACE' ? 'trace' : l === 'DEBUG' ? 'debug' : l === 'WARN' ? 'warn' : l === 'ERROR' ? 'error' : 'info';
      logger[method](meta ?? {}, message);
    }),
    ...(metricsAddress ? { telemetryOptions: prometheusTelemetry(metricsAddress) } : {}),
  });
}

/** Connects and runs a collector worker until SIGINT/SIGTERM, then drains it. */
export async function runWorker(config: Config, options: { address: string; devo?: DevoTransport; logger?: Logger }): Promise<void> {
  const logger = options.logger ?? createLogger('worker');
  installRuntimeLogger(logger, config.metricsAddress);
  if (!config.payloadKey) throw new Error('PAYLOAD_KEY or PAYLOAD_KEY_FILE is required');
  const connection = await connectWorker(config, options.address);
  try {
    const deps = activityDepsFromConfig(config, options.devo);
    const worker = await createCollectorWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      dataConverter: dataConverterFor(config),
      deps,
      ...(config.workflowBundlePath ? { workflowBundle: { codePath: config.workflowBundlePath } } : {}),
      tracing: startTracing(config),
    });
    if (config.tracing && config.workflowBundlePath && !bundleTraces(config.workflowBundlePath)) {
      logger.warn({ bundle: config.workflowBundlePath }, 'tracing activities only: O365_WORKFLOW_BUNDLE was built without the workflow interceptors (npm run build:workflow -- --tracing)');
    }
    logger.info({ taskQueue: config.temporal.taskQueue, address: options.address, devo: deps.devo.description, metrics: config.metricsAddress && metricsUrl(config.metricsAddress) }, 'worker started');
    const meter = Runtime.instance().metricMeter;
    reportDevoCertificateExpiry(config, meter);
    const expiryTimer = setInterval(() => reportDevoCertificateExpiry(config, meter), DEVO_CERTIFICATE_GAUGE_INTERVAL_MS).unref();
    try {
      await worker.run();
    } finally {
      clearInterval(expiryTimer);
    }
  } finally {
    await flushTracing();
    await connection.close();
  }
}
