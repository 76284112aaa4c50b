/**
 * Where a round of the collector waits, from the Temporal SDK's own metrics (the worker's Prometheus
 * endpoint, O365_METRICS_ADDRESS): its time per workflow task and per activity, and how long the server
 * took to answer its completions and heartbeats. Histograms are in milliseconds.
 */
import { parseExposition, scrape, total } from '../test/metrics/exposition.js';

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
  /** From the server scheduling a task to the worker starting it: the server's dispatch and the worker's polls. */
  readonly workflowTaskScheduleToStart: Latency;
  readonly activityScheduleToStart: Latency;
}

const SERIES: Record<keyof SdkLatencies, [metric: string, where?: Record<string, string>]> = {
  workflowTask: ['temporal_workflow_task_execution_latency'],
  respondWorkflowTask: ['temporal_request_latency', { operation: 'RespondWorkflowTaskCompleted' }],
  respondActivity: ['temporal_request_latency', { operation: 'RespondActivityTaskCompleted' }],
  heartbeat: ['temporal_request_latency', { operation: 'RecordActivityTaskHeartbeat' }],
  pullPage: ['temporal_activity_execution_latency', { activity_type: 'pullPage' }],
  sendToDevo: ['temporal_activity_execution_latency', { activity_type: 'sendToDevo' }],
  workflowTaskScheduleToStart: ['temporal_workflow_task_schedule_to_start_latency'],
  activityScheduleToStart: ['temporal_activity_schedule_to_start_latency'],
};

/** Scrapes each worker's metrics endpoint (its O365_METRICS_ADDRESS) and adds the histograms up. */
export async function sdkLatencies(bindAddresses: readonly string[]): Promise<SdkLatencies> {
  return latenciesIn(await Promise.all(bindAddresses.map(scrape)));
}

/** The latencies in Prometheus text expositions (one per worker): each histogram's sum over its count, added up. */
export function latenciesIn(texts: readonly string[]): SdkLatencies {
  const expositions = texts.map(parseExposition);
  const sum = (name: string, where?: Record<string, string>) => expositions.reduce((all, exposition) => all + total(exposition, name, where), 0);
  const latencies = {} as Record<keyof SdkLatencies, Latency>;
  for (const [key, [metric, where]] of Object.entries(SERIES) as [keyof SdkLatencies, [string, Record<string, string>?]][]) {
    const count = sum(`${metric}_count`, where);
    latencies[key] = { count, meanMs: count ? Number((sum(`${metric}_sum`, where) / count).toFixed(1)) : 0 };
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
    one('schedule to start: workflow task', l.workflowTaskScheduleToStart),
    one('activity', l.activityScheduleToStart),
  ].join('; ');
}
