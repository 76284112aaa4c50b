import { parsePreciseIso, type PreciseTime } from './time.js';

/**
 * Graph's `$skiptoken`: base64 of `{"StartDate","EndDate","StartingRecipientAddress","ResultSize"}`, the
 * V2 cmdlet's keyset continuation (docs/sources.md#double-encoded-skiptoken). EndDate and
 * StartingRecipientAddress are the received time and recipient of the last row served; the next page
 * continues strictly after that pair in the service order.
 */
export interface GraphSkipToken {
  readonly startDate: PreciseTime;
  readonly endDate: PreciseTime;
  readonly startingRecipientAddress: string;
  readonly resultSize: number;
}

/** The texts that go into a token, already formatted as the service prints them. */
export interface SkipTokenFields {
  readonly StartDate: string;
  readonly EndDate: string;
  readonly StartingRecipientAddress: string;
  readonly ResultSize: string;
}

/** A token Graph refuses, with the message of its 400. */
export class SkipTokenError extends Error {
  override name = 'SkipTokenError';
}

/**
 * Encodes a token. `doubleEncoded` reproduces Microsoft's defect of JSON-encoding each value twice
 * (`"\"2026-03-26T15:43:20.2718704Z\""`, elastic#18134), which the service itself then refuses.
 */
export function encodeSkipToken(fields: SkipTokenFields, doubleEncoded = false): string {
  const value = (v: string): string => (doubleEncoded ? JSON.stringify(v) : v);
  const json = JSON.stringify({
    StartDate: value(fields.StartDate),
    EndDate: value(fields.EndDate),
    StartingRecipientAddress: value(fields.StartingRecipientAddress),
    ResultSize: value(fields.ResultSize),
  });
  return Buffer.from(json, 'utf8').toString('base64');
}

/** Decodes a token, padded or not, base64 or base64url; throws SkipTokenError with Graph's wording. */
export function decodeSkipToken(text: string): GraphSkipToken {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw new SkipTokenError('|System.ArgumentException|The $skiptoken value is not valid.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    throw new SkipTokenError('|System.ArgumentException|The $skiptoken value is not valid.');
  }
  const fields = parsed as Partial<Record<keyof SkipTokenFields, unknown>>;
  if (typeof fields !== 'object' || fields === null || ['StartDate', 'EndDate', 'StartingRecipientAddress', 'ResultSize'].some((k) => typeof fields[k as keyof SkipTokenFields] !== 'string')) {
    throw new SkipTokenError('|System.ArgumentException|The $skiptoken value is not valid.');
  }
  const startDate = dateParameter('StartDate', fields.StartDate as string);
  const endDate = dateParameter('EndDate', fields.EndDate as string);
  const address = fields.StartingRecipientAddress as string;
  // An address must look like one; a quoted (double-encoded) one does not (elastic#18985's message).
  if (!/^[^\s@"]+@[^\s@"]+$/.test(address)) throw new SkipTokenError('|System.ArgumentException|Invalid starting recipient address');
  const size = fields.ResultSize as string;
  if (!/^\d+$/.test(size) || Number(size) < 1 || Number(size) > 5000) throw new SkipTokenError('ResultSize is invalid');
  return { startDate, endDate, startingRecipientAddress: address.toLowerCase(), resultSize: Number(size) };
}

/** PowerShell's parameter binding error, as the service answers a double-encoded date (elastic#18134). */
function dateParameter(name: string, value: string): PreciseTime {
  const time = parsePreciseIso(value, { maxFractionDigits: 7 });
  if (time) return time;
  throw new SkipTokenError(
    `Cannot process argument transformation on parameter '${name}'. Cannot convert value "${value}" to type "System.DateTime". Error: "String was not recognized as a valid DateTime."`,
  );
}
