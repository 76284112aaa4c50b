/**
 * Retry-After, pure so it is unit-tested alone: reading the header (delta-seconds or an HTTP-date, RFC 9110
 * §10.2.3) and turning what Microsoft asked for into the delay before the next attempt.
 */

/**
 * The longest wait a Retry-After is honoured for: Microsoft's message trace quota is 100 requests per
 * 5 minutes per tenant (https://learn.microsoft.com/en-us/graph/throttling-limits), so after
 * 5 minutes the quota has refilled whatever the header says. A larger value (one 429 once asked for
 * 315,360,000 s, ten years) would park the tenant silently; it is waited out only this long.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** The delay after a 429 without a Retry-After header. */
export const DEFAULT_THROTTLE_DELAY_MS = 30_000;

/** What a Retry-After header asked for: a wait in milliseconds, `unreadable`, or undefined when absent. */
export type RetryAfter = number | 'unreadable' | undefined;

/** Reads a Retry-After header. A date in the past asks for no wait. */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): RetryAfter {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const ms = Number(text) * 1000;
    return Number.isFinite(ms) ? Math.round(ms) : 'unreadable';
  }
  // An HTTP-date names its month; without a letter, Date.parse would take e.g. "-5" for the year -5.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(date)) return 'unreadable';
  return Math.max(0, date - nowMs);
}

/**
 * The delay before retrying: what Microsoft asked for, up to `capMs`; larger or unreadable values wait
 * `capMs`; no header waits `absentMs`.
 */
export function retryDelayFor(asked: RetryAfter, capMs = MAX_RETRY_AFTER_MS, absentMs = DEFAULT_THROTTLE_DELAY_MS): number {
  if (asked === undefined) return Math.min(absentMs, capMs);
  if (asked === 'unreadable') return capMs;
  return Math.min(asked, capMs);
}

/** How a Throttled failure's message states the asked value, e.g. `Retry-After: 315360000 s`. */
export function describeRetryAfter(asked: RetryAfter): string {
  if (asked === undefined) return 'no Retry-After';
  if (asked === 'unreadable') return 'Retry-After: unreadable';
  return `Retry-After: ${Math.round(asked / 1000)} s`;
}

/** The asked value back from a Throttled failure's message (what describeRetryAfter wrote), for status. */
export function retryAfterInMessage(message: string): RetryAfter {
  const match = /Retry-After: (?:(\d+) s|(unreadable))/.exec(message);
  if (!match) return undefined;
  return match[2] ? 'unreadable' : Number(match[1]) * 1000;
}
