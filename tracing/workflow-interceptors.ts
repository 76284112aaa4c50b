/**
 * Workflow interceptors for OpenTelemetry tracing, bundled into the workflow code only when tracing is on
 * (worker/create-worker.ts): a span per workflow run, per signal, query and update, and per scheduled
 * activity, linked to the caller's trace through the Temporal headers. The spans leave the sandbox
 * through the `exporter` sink the worker injects.
 */
import { OpenTelemetryInboundInterceptor, OpenTelemetryInternalsInterceptor, OpenTelemetryOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import type { WorkflowInterceptors } from '@temporalio/workflow';

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new OpenTelemetryInboundInterceptor()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
