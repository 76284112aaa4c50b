import { filterBounds, type TimeWindow } from '../time-windows/index.js';
import { normaliseReceived } from './received-time.js';
import type { TraceRecord } from './records.js';

export { normaliseReceived };

/**
 * Where a window's pages stopped: the received time and recipient of the last row delivered. Both APIs
 * return rows newest first, then by recipient, so the rest of the window is every row received up to
 * that time, less the rows at exactly that time already delivered. This is how a window is finished
 * when Microsoft refuses its own next link (the double-encoded skiptoken, docs/sources.md#double-encoded-skiptoken).
 */
export interface ResumePoint {
  /** The row's received time, normalised to 7 fractional digits and Z. */
  readonly received: string;
  readonly recipient: string;
}

/** The resume point after a page, from its last row; undefined for an empty page. */
export function resumePointOf(records: readonly TraceRecord[]): ResumePoint | undefined {
  const last = records.at(-1);
  if (!last) return undefined;
  const received = normaliseReceived(last.receivedDateTime ?? last.Received);
  const recipient = last.recipientAddress ?? last.RecipientAddress;
  return received && typeof recipient === 'string' ? { received, recipient } : undefined;
}

/** Drops the rows a resumed query repeats: those at exactly the resume time up to its recipient. */
export function afterResumePoint(records: readonly TraceRecord[], point: ResumePoint): TraceRecord[] {
  return records.filter((r) => normaliseReceived(r.receivedDateTime ?? r.Received) !== point.received || String(r.recipientAddress ?? r.RecipientAddress) > point.recipient);
}

/**
 * The resume point moved into the window's query bounds, so the query that resumes from it is never
 * inverted (Microsoft answers 400 to that, for ever). Inside the window it is returned as it is. After
 * the window's last tick: the whole window is read again. Before its start: only rows at the first tick.
 */
export function clampResumePoint(point: ResumePoint, window: TimeWindow): ResumePoint {
  const { from, to } = filterBounds(window);
  if (point.received > to) return { received: to, recipient: '' };
  if (point.received < from) return { received: from, recipient: '' };
  return point;
}
