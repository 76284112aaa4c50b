import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import type { Config } from '../config/schema.js';
import { startTracing } from './otel.js';

/**
 * The client's tracing interceptor when tracing is on: a span per start, signal, query and update,
 * whose context travels in the Temporal headers, so the workflow's spans join the caller's trace.
 */
export function clientTracingInterceptors(config: Pick<Config, 'tracing'>): ClientInterceptors | undefined {
  return startTracing(config) ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}
