import type { WorkflowHandle } from '@temporalio/client';

/** One fault of the run, for the table: what was done, when, and how long collection stalled after it. */
export interface FaultEvent {
  readonly what: string;
  readonly atMs: number;
  /** Records the tenants had delivered when it happened, of those they were to collect. */
  readonly delivered: number;
  /** Tenants not yet caught up when it happened: a fault after the end would prove nothing. */
  readonly collecting: number;
}

/** One tenant's progress over time: a count that grows, and whether it has all there is. */
export type Series = ReadonlyArray<{ atMs: number; value: number; done: boolean }>;

/** Seconds from `atMs` until the series grew (or was done), for the first and the last tenant. */
function stalls(series: readonly Series[], atMs: number): [string, string] {
  const resumed = series.map((points) => {
    const before = [...points].reverse().find((p) => p.atMs <= atMs);
    if (before?.done) return 0;
    const next = points.find((p) => p.atMs > atMs && (p.value > (before?.value ?? 0) || p.done));
    return next ? (next.atMs - atMs) / 1000 : Infinity;
  });
  const fmt = (s: number) => (Number.isFinite(s) ? s.toFixed(1) : 'never');
  return [fmt(Math.min(...resumed)), fmt(Math.max(...resumed))];
}

/**
 * The stall after each fault: from the fault until Devo received a tenant's records again (first tenant,
 * last tenant), and until the status query showed every tenant's progress again. Printed, not asserted:
 * it depends on the machine.
 */
export function faultTable(faults: readonly FaultEvent[], delivered: readonly Series[], status: readonly Series[], expected: number): string {
  const header = ['fault', 'when (records delivered, tenants still collecting)', 'Devo receiving again: first tenant (s)', 'every tenant (s)', 'status query showing every tenant progress (s)'];
  const rows = faults.map((f) => {
    const when = `${f.delivered.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')}, ${f.collecting} of ${delivered.length}`;
    return [f.what, when, ...stalls(delivered, f.atMs), stalls(status, f.atMs)[1]];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Each activity attempt after the first, as `type: why the previous attempt ended (s from scheduled to started)`. */
export function retriedActivities(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): string {
  const events = history.events ?? [];
  const scheduled = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [String(e.eventId), e]));
  return events
    .filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1)
    .map((e) => {
      const started = e.activityTaskStartedEventAttributes!;
      const from = scheduled.get(String(started.scheduledEventId));
      const type = from?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
      const failure = started.lastFailure;
      const why = failure?.timeoutFailureInfo ? `timeout ${failure.timeoutFailureInfo.timeoutType}` : (failure?.message ?? '?');
      const seconds = from?.eventTime && e.eventTime ? Number(e.eventTime.seconds) - Number(from.eventTime.seconds) : NaN;
      return `${type} attempt ${started.attempt}: ${why} (${seconds} s after scheduling)`;
    })
    .join('; ');
}
