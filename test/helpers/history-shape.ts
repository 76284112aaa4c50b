import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

/** How the activities of a run overlapped, read from its history (activity types are never encrypted). */
export interface ActivityOverlap {
  /** pullPage activities that were in flight at the same time as a sendToDevo: pages pulled ahead. */
  readonly pullsBesideSends: number;
  /** sendToDevo activities in flight at the same time as another (must stay 0: sends keep page order). */
  readonly sendsBesideSends: number;
  readonly pulls: number;
  readonly sends: number;
}

interface Span {
  readonly type: string;
  readonly from: number;
  to: number;
}

/** Activity lifetimes as event-id spans, from scheduled to closed (still open ones run to the end). */
function activitySpans(history: History): Span[] {
  const spans = new Map<number, Span>();
  const events = history.events ?? [];
  for (const event of events) {
    const id = Number(event.eventId);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) spans.set(id, { type: scheduled.activityType?.name ?? '', from: id, to: Number.MAX_SAFE_INTEGER });
    const closed =
      event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes ?? event.activityTaskCanceledEventAttributes;
    const span = closed?.scheduledEventId != null ? spans.get(Number(closed.scheduledEventId)) : undefined;
    if (span) span.to = id;
  }
  return [...spans.values()];
}

export function activityOverlap(history: History): ActivityOverlap {
  const spans = activitySpans(history);
  const pulls = spans.filter((s) => s.type === 'pullPage');
  const sends = spans.filter((s) => s.type === 'sendToDevo');
  const overlaps = (a: Span, b: Span) => a !== b && a.from < b.to && b.from < a.to;
  return {
    pullsBesideSends: pulls.filter((p) => sends.some((s) => overlaps(p, s))).length,
    sendsBesideSends: sends.filter((s) => sends.some((other) => overlaps(s, other))).length,
    pulls: pulls.length,
    sends: sends.length,
  };
}

/** The largest input payload of the run's sendToDevo activities, in bytes as the server stores it (encrypted). */
export function largestSendInput(history: History): number {
  let largest = 0;
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'sendToDevo') continue;
    for (const payload of scheduled.input?.payloads ?? []) largest = Math.max(largest, payload.data?.length ?? 0);
  }
  return largest;
}
