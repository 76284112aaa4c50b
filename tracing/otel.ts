import { readFileSync } from 'node:fs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Config } from '../config/schema.js';

/** What the worker and the client need to trace: the span processor and resource the SDK's interceptors export through. */
export interface Tracing {
  readonly resource: Resource;
  readonly spanProcessor: SpanProcessor;
  /** Sends the spans still buffered (call before a short-lived command exits). */
  flush(): Promise<void>;
}

let installed: Tracing | undefined;

/**
 * Installs OpenTelemetry tracing for this process, once: a tracer provider registered globally (the
 * activity and client interceptors use the global tracer, and W3C trace context in Temporal headers links
 * client, workflow and activity spans into one trace) exporting in batches over OTLP/HTTP to
 * `<endpoint>/v1/traces`. OTEL_EXPORTER_OTLP_HEADERS, read by the exporter itself, adds headers such as a
 * collector's API key. Undefined when tracing is off.
 */
export function startTracing(config: Pick<Config, 'tracing'>): Tracing | undefined {
  if (!config.tracing) return undefined;
  if (installed) return installed;
  const resource = new Resource({ 'service.name': config.tracing.serviceName });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.tracing.endpoint}/v1/traces` }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Without a context manager the client span would not be the active one when its headers are written.
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  installed = { resource, spanProcessor, flush: () => provider.forceFlush() };
  return installed;
}

/** Flushes the spans of this process, when tracing is on; never throws (a missing collector must not fail a command). */
export async function flushTracing(): Promise<void> {
  await installed?.flush().catch(() => undefined);
}

/** True when a prebuilt workflow bundle carries the tracing interceptors (`npm run build:workflow -- --tracing`). */
export function bundleTraces(bundlePath: string): boolean {
  return readFileSync(bundlePath, 'utf8').includes('OpenTelemetryInboundInterceptor');
}
