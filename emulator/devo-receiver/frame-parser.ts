import { crc32, inflateRawSync } from 'node:zlib';
import { parseRecord, type ParsedEvent } from './record.js';

/** What one call of FrameParser.push or end produced. */
export interface ParseResult {
  /** Events completed, in stream order. */
  readonly events: ParsedEvent[];
  /** Frames that were not syslog records (or a gzip member that did not inflate). */
  readonly errors: number;
}

/** Largest octet count believed; a bigger "count" is taken to be the start of a plain line. */
const MAX_COUNTED_FRAME = 64 * 1024 * 1024;
/** Largest inflated gzip member, so a compression bomb cannot exhaust memory. */
const MAX_INFLATED = 256 * 1024 * 1024;

type Step = { consumed: number; records: string[]; errors?: number } | { wait: 'newline' | number };

/**
 * A streaming parser of Devo's framing (docs/sources.md#devo-close): at each frame start, `<digits> `
 * is an octet-counted frame, `1f 8b` one gzip member of newline-separated records (the SDK's zip mode,
 * §1.4), anything else a record up to `\n`. Bytes may be split anywhere between pushes; the result is
 * the same as for one push of the whole stream.
 */
export class FrameParser {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private waiting: 'newline' | number | undefined;

  /** Feeds the next bytes of the stream; returns the records they completed. */
  push(chunk: Buffer): ParseResult {
    if (chunk.length === 0) return { events: [], errors: 0 };
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Joining buffers only when a frame can have completed keeps large frames linear, not quadratic.
    if (typeof this.waiting === 'number' && this.pendingBytes < this.waiting) return { events: [], errors: 0 };
    if (this.waiting === 'newline' && !chunk.includes(0x0a)) return { events: [], errors: 0 };
    const buffer = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    const records: string[] = [];
    let errors = 0;
    let offset = 0;
    for (;;) {
      const step = offset < buffer.length ? nextFrame(buffer, offset) : { wait: 1 };
      if ('wait' in step) {
        this.waiting = typeof step.wait === 'number' ? step.wait - offset : step.wait;
        break;
      }
      offset += step.consumed;
      records.push(...step.records);
      errors += step.errors ?? 0;
    }
    const rest = buffer.subarray(offset);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return collect(records, errors);
  }

  /** The stream ended: an unterminated last record still counts; an incomplete frame is an error. */
  end(): ParseResult {
    const rest = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.waiting = undefined;
    if (rest.length === 0) return { events: [], errors: 0 };
    const step = nextFrame(Buffer.concat([rest, Buffer.from('\n')]), 0);
    if ('wait' in step || step.consumed < rest.length) return { events: [], errors: 1 };
    return collect(step.records, step.errors ?? 0);
  }
}

function collect(records: string[], errors: number): ParseResult {
  const events: ParsedEvent[] = [];
  for (const record of records) {
    const event = parseRecord(record);
    if (event) events.push(event);
    else errors++;
  }
  return { events, errors };
}

function nextFrame(b: Buffer, at: number): Step {
  if (b[at] === 0x1f) {
    if (at + 1 >= b.length) return { wait: at + 2 };
    if (b[at + 1] === 0x8b) return gzipMember(b, at);
  }
  let digits = at;
  while (digits < b.length && digits - at <= 10 && b[digits]! >= 0x30 && b[digits]! <= 0x39) digits++;
  if (digits > at) {
    if (digits === b.length) return { wait: digits + 1 }; // the count, or a line starting with digits, is still arriving
    const count = Number(b.toString('latin1', at, digits));
    if (b[digits] === 0x20 && count <= MAX_COUNTED_FRAME) {
      const end = digits + 1 + count;
      if (end > b.length) return { wait: end };
      const record = b.toString('utf8', digits + 1, b[end - 1] === 0x0a ? end - 1 : end);
      return { consumed: end - at, records: record === '' ? [] : [record] };
    }
  }
  return line(b, at);
}

function line(b: Buffer, at: number): Step {
  const newline = b.indexOf(0x0a, at);
  if (newline < 0) return { wait: 'newline' };
  const record = trimLineEnd(b.toString('utf8', at, newline));
  return { consumed: newline + 1 - at, records: record === '' ? [] : [record] };
}

/** One gzip member (RFC 1952): header, raw deflate data, CRC32 and size; its text split on `\n`. */
function gzipMember(b: Buffer, at: number): Step {
  let p = at + 10;
  if (p > b.length) return { wait: p };
  const flags = b[at + 3]!;
  if (b[at + 2] !== 8) return corrupt(b, at);
  if (flags & 0x04) {
    if (p + 2 > b.length) return { wait: p + 2 };
    p += 2 + b.readUInt16LE(p);
  }
  for (const bit of [0x08, 0x10]) {
    if (!(flags & bit)) continue;
    const zero = b.indexOf(0, p);
    if (zero < 0) return { wait: b.length + 1 };
    p = zero + 1;
  }
  if (flags & 0x02) p += 2;
  if (p > b.length) return { wait: p };
  let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    inflated = inflateRawSync(b.subarray(p), { info: true, maxOutputLength: MAX_INFLATED }) as unknown as typeof inflated;
  } catch (err) {
    // Z_BUF_ERROR: the member is still arriving; anything else: it is damaged.
    return (err as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' ? { wait: b.length + 1 } : corrupt(b, at);
  }
  const trailer = p + inflated.engine.bytesWritten;
  if (trailer + 8 > b.length) return { wait: trailer + 8 };
  const text = inflated.buffer;
  if (b.readUInt32LE(trailer) !== crc32(text) || b.readUInt32LE(trailer + 4) !== text.length % 2 ** 32) return corrupt(b, at);
  const records = text.toString('utf8').split('\n').map(trimLineEnd).filter((r) => r !== '');
  return { consumed: trailer + 8 - at, records };
}

/** A CR of a CRLF sender, then the NUL PYSDK's logging handler puts before the newline (§1.3). */
function trimLineEnd(record: string): string {
  const noCr = record.endsWith('\r') ? record.slice(0, -1) : record;
  return noCr.endsWith('\0') ? noCr.slice(0, -1) : noCr;
}

/** A damaged member: count one error and resynchronise at the next newline. */
function corrupt(b: Buffer, at: number): Step {
  const newline = b.indexOf(0x0a, at);
  if (newline < 0) return { wait: 'newline' };
  return { consumed: newline + 1 - at, records: [], errors: 1 };
}
