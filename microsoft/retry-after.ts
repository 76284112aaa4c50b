/**
 * Parses an HTTP Retry-After header: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns the wait
 * in milliseconds, or undefined when the header is absent or unreadable. Pure, so it is unit-tested alone.
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
