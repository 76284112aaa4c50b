/**
 * Backfill range arithmetic, pure. Pending backfill work is a sorted list of disjoint half-open intervals
 * [from, to) of what is still to pull: a new request is unioned in (overlapping or adjacent requests
 * merge, so nothing is pulled twice), and a delivered chunk is subtracted out.
 */
import { MAX_QUERY_SPAN_MS, type TimeWindow } from './windows.js';

/** A half-open interval of time still to backfill, as ISO strings (plain JSON for workflow state). */
export interface PendingRange {
  readonly from: string;
  readonly to: string;
}

const ms = (text: string) => Date.parse(text);
const text = (value: number) => new Date(value).toISOString();

/**
 * The most pending ranges a collector keeps. Each costs at least one query of its own, and every status
 * answer lists them, so thousands of tiny requests would cost CPU, state and replies out of proportion to
 * the data; beyond this a request is refused (the operator can ask for one covering range instead).
 */
export const MAX_PENDING_RANGES = 100;

/**
 * The union of the pending ranges with [fromMs, toMs). Ranges closer than `mergeGapMs` merge too, gap
 * included: pulling a little more than asked costs less than one more query per tiny range.
 */
export function addRange(pending: readonly PendingRange[], fromMs: number, toMs: number, mergeGapMs = 0): PendingRange[] {
  const sorted = [...pending.map((r) => [ms(r.from), ms(r.to)] as const), [fromMs, toMs] as const].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = out.at(-1);
    if (last && from - last[1] <= mergeGapMs) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out.map(([from, to]) => ({ from: text(from), to: text(to) }));
}

/** What a backfill reply and status say about the pending ranges instead of listing them all. */
export interface PendingSummary {
  /** How many ranges are pending. */
  readonly ranges: number;
  /** The earliest pending range and the latest. */
  readonly first?: PendingRange;
  readonly last?: PendingRange;
  /** Milliseconds still pending in all. */
  readonly totalMs: number;
}

export function summarisePending(pending: readonly PendingRange[]): PendingSummary {
  return { ranges: pending.length, ...(pending.length > 0 && { first: pending[0], last: pending.at(-1) }), totalMs: pendingMs(pending) };
}

/** The pending ranges less [fromMs, toMs). */
export function removeRange(pending: readonly PendingRange[], fromMs: number, toMs: number): PendingRange[] {
  const out: PendingRange[] = [];
  for (const range of pending) {
    const [rFrom, rTo] = [ms(range.from), ms(range.to)];
    if (rTo <= fromMs || rFrom >= toMs) {
      out.push(range);
      continue;
    }
    if (rFrom < fromMs) out.push({ from: range.from, to: text(fromMs) });
    if (rTo > toMs) out.push({ from: text(toMs), to: range.to });
  }
  return out;
}

/** Total milliseconds still pending. */
export function pendingMs(pending: readonly PendingRange[]): number {
  return pending.reduce((sum, r) => sum + ms(r.to) - ms(r.from), 0);
}

/** The next chunk to pull: the start of the earliest pending range, at most the 10-day query span. */
export function nextChunk(pending: readonly PendingRange[], maxSpanMs = MAX_QUERY_SPAN_MS): TimeWindow | undefined {
  const first = pending[0];
  if (!first) return undefined;
  return { startMs: ms(first.from), endMs: Math.min(ms(first.to), ms(first.from) + maxSpanMs) };
}
