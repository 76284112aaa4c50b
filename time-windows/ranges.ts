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

/** The union of the pending ranges with [fromMs, toMs). */
export function addRange(pending: readonly PendingRange[], fromMs: number, toMs: number): PendingRange[] {
  let from = fromMs;
  let to = toMs;
  const out: PendingRange[] = [];
  for (const range of pending) {
    if (ms(range.to) < from || ms(range.from) > to) out.push(range);
    else {
      from = Math.min(from, ms(range.from));
      to = Math.max(to, ms(range.to));
    }
  }
  out.push({ from: text(from), to: text(to) });
  return out.sort((a, b) => ms(a.from) - ms(b.from));
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
