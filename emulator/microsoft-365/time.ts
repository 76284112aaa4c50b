/**
 * Times at Microsoft's precision. Exchange stamps `Received` in 100-ns ticks, printed with seven
 * fractional digits (`2022-09-05T18:10:13.4907658`, docs/sources.md#rws-fields). Epoch ticks overflow a JS number's
 * 53 exact bits, so a time is carried as whole milliseconds plus `sub`, the 0..9999 ticks after them.
 */

/** Ticks of 100 ns per millisecond. */
export const TICKS_PER_MS = 10_000;

/** A UTC instant at 100-ns precision: `ms` since the epoch plus `sub` ticks (0..9999). */
export interface PreciseTime {
  readonly ms: number;
  readonly sub: number;
}

/** How strictly to read an ISO text: which zone forms and how many fractional digits are allowed. */
export interface IsoParseOptions {
  /** The text must carry `Z` or an offset (Graph's DateTimeOffset); otherwise a bare time means UTC. */
  readonly requireZone?: boolean;
  /** The most fractional digits accepted; digits beyond the seventh are truncated. */
  readonly maxFractionDigits?: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Reads `YYYY-MM-DDThh:mm[:ss[.f…]][Z|±hh:mm]`; undefined when the text is not a valid time. */
export function parsePreciseIso(text: string, options: IsoParseOptions = {}): PreciseTime | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone] = m as unknown as string[];
  if (fraction.length > (options.maxFractionDigits ?? 7)) return undefined;
  if (zone === undefined && options.requireZone) return undefined;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const date = new Date(0);
  date.setUTCFullYear(fields[0], fields[1], fields[2]);
  date.setUTCHours(fields[3], fields[4], fields[5], 0);
  // Date rolls 2026-02-30 over to March; a real parser refuses it, so check that nothing rolled.
  if (date.getUTCMonth() !== fields[1] || date.getUTCDate() !== fields[2] || date.getUTCHours() !== fields[3]) return undefined;
  if (fields[4] > 59 || fields[5] > 59) return undefined;
  const digits = fraction.padEnd(7, '0').slice(0, 7);
  const offsetMs = zone && zone !== 'Z' ? offsetMinutes(zone) * 60_000 : 0;
  return { ms: date.getTime() + Number(digits.slice(0, 3)) - offsetMs, sub: Number(digits.slice(3)) };
}

function offsetMinutes(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
}

/** Orders two precise times: negative, zero or positive. */
export function comparePrecise(a: PreciseTime, b: PreciseTime): number {
  return a.ms - b.ms || a.sub - b.sub;
}

/** Seven fractional digits without a zone: `2026-11-24T10:30:00.1234567`, as the RWS JSON light prints `Received`. */
export function formatTicksLocal(ms: number, sub: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(sub).padStart(4, '0')}`;
}

/** Seven fractional digits with `Z`: `2026-11-24T10:30:00.1234567Z`, Graph's `receivedDateTime` (docs/sources.md#graph-query). */
export function formatTicksUtc(ms: number, sub: number): string {
  return `${formatTicksLocal(ms, sub)}Z`;
}

/**
 * The OData v2 verbose JSON date `/Date(ms)/` (docs/sources.md#rws-fields); precision drops to the millisecond. The
 * escaped slash `\/` that WCF puts on the wire is added when the body is serialised (reporting-render.ts).
 */
export function formatVerboseDate(ms: number): string {
  return `/Date(${ms})/`;
}

/** The start of the UTC day holding `ms`: Graph's 90-day limit counts from 00:00 UTC (docs/sources.md#graph-query). */
export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / 86_400_000) * 86_400_000;
}
