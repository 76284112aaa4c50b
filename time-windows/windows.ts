/**
 * Window and cursor arithmetic, pure and deterministic: shared by the workflow, the activities and the CLI.
 * Times are epoch milliseconds. A window is half-open, [startMs, endMs): the cursor is the end of the last
 * fully delivered window, and the next window starts exactly there, so no instant belongs to two windows.
 */

/** One collection window, half-open: [startMs, endMs). */
export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

import { MAX_QUERY_SPAN_MS, RETENTION_DAYS, type SourceName } from '../contracts/microsoft-limits.js';

export { MAX_QUERY_SPAN_MS, RETENTION_DAYS, type SourceName };

/** Settings that shape windows; all durations in milliseconds. */
export interface WindowSettings {
  readonly windowMs: number;
  readonly lagMs: number;
}

/**
 * The next window after `cursorMs`, or undefined when a full window is not yet due (its end would pass
 * now - lag). Windows are always `windowMs` long (capped at the 10-day query span), so boundaries stay
 * predictable: a collector started at 10:00 with 5-minute windows collects 10:00-10:05, 10:05-10:10, ...
 */
export function nextWindow(cursorMs: number, nowMs: number, settings: WindowSettings): TimeWindow | undefined {
  const span = Math.min(settings.windowMs, MAX_QUERY_SPAN_MS);
  const endMs = cursorMs + span;
  return endMs <= nowMs - settings.lagMs ? { startMs: cursorMs, endMs } : undefined;
}

/** Milliseconds until the window after `cursorMs` becomes due (0 when it already is). */
export function msUntilDue(cursorMs: number, nowMs: number, settings: WindowSettings): number {
  const span = Math.min(settings.windowMs, MAX_QUERY_SPAN_MS);
  return Math.max(0, cursorMs + span + settings.lagMs - nowMs);
}

/** True when no full window is due: the cursor is within one window of now - lag. */
export function isCaughtUp(cursorMs: number, nowMs: number, settings: WindowSettings): boolean {
  return nextWindow(cursorMs, nowMs, settings) === undefined;
}

/** Rounds a time down to a multiple of the window, so windows line up with the clock (10:05, 10:10). */
export function alignDown(ms: number, windowMs: number): number {
  return Math.floor(ms / windowMs) * windowMs;
}

/**
 * The earliest start a source still serves, less a safety margin: Graph counts its 90 days from 00:00 UTC
 * of today (docs/sources.md#graph-query: the start "not more than 90 days" back, counted from 00:00 UTC); the Reporting Web
 * Service refuses starts older than 10 days (§1.7).
 */
export function earliestStart(nowMs: number, source: SourceName, marginMs: number): number {
  const midnight = Math.floor(nowMs / 86_400_000) * 86_400_000;
  const from = source === 'graph' ? midnight : nowMs;
  return from - RETENTION_DAYS[source] * 86_400_000 + marginMs;
}

/** Clamps a requested start to the source's retention; `clamped` tells the caller to warn. */
export function clampToRetention(
  startMs: number,
  nowMs: number,
  source: SourceName,
  marginMs: number,
): { startMs: number; clamped: boolean } {
  const earliest = earliestStart(nowMs, source, marginMs);
  return startMs < earliest ? { startMs: earliest, clamped: true } : { startMs, clamped: false };
}

/**
 * Filter bounds for a half-open window. Microsoft's bounds are inclusive on both ends (Graph `ge`/`le`,
 * RWS StartDate/EndDate), and its times carry 7 fractional digits (100 ns ticks). So the upper bound is
 * the last tick before the window's end: a row received exactly on an edge belongs to one window only.
 */
export function filterBounds(window: TimeWindow): { from: string; to: string } {
  const from = new Date(window.startMs).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
  const to = new Date(window.endMs - 1).toISOString().replace(/\.(\d{3})Z$/, '.$19999Z');
  return { from, to };
}

/** ISO UTC text of a time, for state, status and logs. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
