/**
 * A row's received time, in every form the two APIs write it: Graph's ISO time with `Z`, the Reporting
 * Web Service's JSON light ISO time without a zone (UTC all the same, docs/sources.md#time-zones), and its
 * verbose `/Date(ms)/` (docs/sources.md#rws-json-shapes). Pure, so property tests can throw anything at it.
 */

/** Latest instant a syslog header (`YYYY-MM-DD`) and an ISO string with a four-digit year can carry. */
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const VERBOSE = /^\/Date\((\d{1,16})\)\/$/;
const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?(Z|[+-]\d\d:\d\d)?$/;

/** Epoch milliseconds of a received time, or undefined when it is not one of the API's forms or out of range. */
export function receivedTimeMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const verbose = VERBOSE.exec(value);
  if (verbose) return inRange(Number(verbose[1]));
  const iso = ISO.exec(value);
  if (!iso) return undefined;
  const millis = (iso[2] ?? '').padEnd(3, '0').slice(0, 3);
  return inRange(Date.parse(`${iso[1]}.${millis}${iso[3] ?? 'Z'}`));
}

/**
 * The received time as Microsoft's filters write it, 7 fractional digits and `Z`, keeping the API's own
 * sub-millisecond digits; undefined when it is not a UTC time (a resume point compares these as text).
 */
export function normaliseReceived(value: unknown): string | undefined {
  if (receivedTimeMs(value) === undefined) return undefined;
  const text = value as string;
  const verbose = VERBOSE.exec(text);
  if (verbose) return new Date(Number(verbose[1])).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
  const iso = ISO.exec(text)!;
  if (iso[3] && iso[3] !== 'Z' && iso[3] !== '+00:00' && iso[3] !== '-00:00') return undefined;
  return `${iso[1]}.${(iso[2] ?? '').padEnd(7, '0')}Z`;
}

function inRange(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_MS ? ms : undefined;
}
