/**
 * Where a round of the collector waits, from the Temporal SDK's own metrics (the worker's Prometheus
 * endpoint, O365_METRICS_ADDRESS): its time per workflow task and per activity, and how long the server
 * took to answer its completions and heartbeats. Histograms are in milliseconds.
 */

/** One latency: how many and their mean (ms). */
export interface Latency {
  readonly count: number;
  readonly meanMs: number;
}

export interface SdkLatencies {
  /** The worker's time from receiving a workflow task to completing it. */
  readonly workflowTask: Latency;
  /** The server's answer to a completed workflow task (which persists the commands, e.g. the next activity and its input). */
  readonly respondWorkflowTask: Latency;
  /** The server's answer to a completed activity (which persists its result). */
  readonly respondActivity: Latency;
  readonly heartbeat: Latency;
  readonly pullPage: Latency;
  readonly sendToDevo: Latency;
}

const SERIES: Record<keyof SdkLatencies, [metric: string, label?: string]> = {
  workflowTask: ['temporal_workflow_task_execution_latency'],
  respondWorkflowTask: ['temporal_request_latency', 'operation="RespondWorkflowTaskCompleted"'],
  respondActivity: ['temporal_request_latency', 'operation="RespondActivityTaskCompleted"'],
  heartbeat: ['temporal_request_latency', 'operation="RecordActivityTaskHeartbeat"'],
  pullPage: ['temporal_activity_execution_latency', 'activity_type="pullPage"'],
  sendToDevo: ['temporal_activity_execution_latency', 'activity_type="sendToDevo"'],
};

/** Reads the histograms' sums and counts from each worker's /metrics, added up over the workers. */
export async function sdkLatencies(metricsUrls: readonly string[]): Promise<SdkLatencies> {
  return latenciesIn(await Promise.all(metricsUrls.map(async (url) => (await fetch(url)).text())));
}

/** The latencies in Prometheus text expositions (one per worker), added up. */
export function latenciesIn(texts: readonly string[]): SdkLatencies {
  const lines = texts.flatMap((text) => text.split('\n'));
  const total = (metric: string, label: string | undefined, suffix: '_sum' | '_count') =>
    lines.filter((line) => line.startsWith(`${metric}${suffix}{`) && (!label || line.includes(label))).reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  const latencies = {} as Record<keyof SdkLatencies, Latency>;
  for (const [key, [metric, label]] of Object.entries(SERIES) as [keyof SdkLatencies, [string, string?]][]) {
    const count = total(metric, label, '_count');
    latencies[key] = { count, meanMs: count ? Number((total(metric, label, '_sum') / count).toFixed(1)) : 0 };
  }
  return latencies;
}

export function describeLatencies(l: SdkLatencies): string {
  const one = (what: string, { count, meanMs }: Latency) => `${what} ${meanMs} ms (${count})`;
  return [
    one('workflow task in the worker', l.workflowTask),
    one('server answering its completion', l.respondWorkflowTask),
    one('an activity completion', l.respondActivity),
    one('a heartbeat', l.heartbeat),
    one('pullPage', l.pullPage),
    one('sendToDevo', l.sendToDevo),
  ].join('; ');
}
