import type { TelemetryOptions } from '@temporalio/worker';

/**
 * Runtime telemetry that serves the SDK's `temporal_*` series and the collector's `o365_*` series on
 * one Prometheus endpoint, `http://<bindAddress>/metrics`. The SDK's defaults are kept (counters
 * without a `_total` suffix, durations in milliseconds), so Temporal's own SDK dashboards work as
 * published; the collector's counters carry `_total` in their names.
 */
export function prometheusTelemetry(bindAddress: string): TelemetryOptions {
  return { metrics: { prometheus: { bindAddress } } };
}

/** Where Prometheus scrapes a worker bound to `bindAddress` (`0.0.0.0:9464`, `[::]:9464`). */
export function metricsUrl(bindAddress: string): string {
  return `http://${bindAddress}/metrics`;
}
