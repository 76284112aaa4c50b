import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { TraceRecord } from '../microsoft/records.js';
import { receivedTimeMs } from '../microsoft/received-time.js';

/**
 * A page's records as they travel through the workflow: one line per record, `<received ms>\t<JSON>`,
 * deflated. The workflow only passes a page from pullPage to sendToDevo; carried as an array of objects,
 * each page would be serialised, compressed and parsed again at every hop (activity result, workflow
 * sandbox, activity input). Packed, those hops move the same bytes: the payload converter
 * (codec/payload-converter.ts) carries them as the payload's data and the codec only encrypts them. The
 * time rides along so the sender never parses a record again.
 */
export interface PackedRecords {
  readonly count: number;
  /** The raw-deflated lines, `\n` between records (JSON.stringify never writes a raw tab or newline). */
  readonly deflated?: Uint8Array;
  /** Histories written before binary packing: the same bytes in base64. */
  readonly deflatedEvents?: string;
  /**
   * A send's input instead of the bytes: the id of the pullPage activity, in the same workflow run, whose
   * result holds them (activities/pulled-chunks.ts).
   */
  readonly pulledBy?: string;
  /** Drawn by the pull attempt that packed the bytes: the key of the chunk in that worker's memory. */
  readonly chunkId?: string;
}

/** One record ready to send: its JSON exactly as Microsoft's fields and values, and its received time. */
export interface PackedEvent {
  /** The record's received time (ms), or undefined when it has none that parses. */
  readonly timeMs: number | undefined;
  readonly json: string;
}

/** A record as the sender needs it: its JSON and its received time (Graph `receivedDateTime`, RWS `Received`). */
export function eventOf(record: TraceRecord): PackedEvent {
  return { timeMs: receivedTimeMs(record.receivedDateTime ?? record.Received), json: JSON.stringify(record) };
}

export function packRecords(records: readonly TraceRecord[]): PackedRecords {
  const chunk = new PackedChunk();
  chunk.add(records);
  return chunk.finish();
}

/** Packing is the only compression a page gets (the codec leaves packed pages alone). */
const DEFLATE_LEVEL = 1;

/** A raw-deflate final block holding nothing (fixed Huffman, end of block): closes a stream of flushed parts. */
const EMPTY_FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/**
 * Packs several pages as one, page by page, so a puller knows the packed size after each page and can stop
 * before the chunk outgrows a payload. Each page is deflated on its own and ended by a sync flush, which
 * leaves it byte-aligned and not final; parts laid end to end, closed by an empty final block, are one
 * valid raw-deflate stream (no part refers back into another).
 */
export class PackedChunk {
  private readonly parts: Buffer[] = [];
  private count = 0;
  /** Deflated bytes so far. */
  bytes = 0;
  /** Deflated bytes of the last page added. */
  lastPageBytes = 0;

  add(records: readonly TraceRecord[]): void {
    this.addWithin(records, { maxRecordBytes: Infinity, maxBytes: Infinity });
  }

  /**
   * Adds the longest run of `records`, from the first, that keeps the chunk within `maxBytes` deflated,
   * leaving out (and naming) those whose JSON is over `maxRecordBytes`. Returns how many records the run
   * covers and which of them (indexes into `records`) were too large; the rest are not in the chunk. The
   * whole page is deflated once; only a page that does not fit is deflated again, prefix by prefix, in a
   * binary search over record boundaries (about 13 rounds for 5,000 records).
   */
  addWithin(records: readonly TraceRecord[], limits: { readonly maxRecordBytes: number; readonly maxBytes: number }): { taken: number; tooLarge: number[] } {
    if (records.length === 0) return { taken: 0, tooLarge: [] };
    const { lines, ends, kept, tooLarge } = writeLines(records, this.count > 0, limits.maxRecordBytes);
    const deflate = (taken: number) => deflateRawSync(lines.subarray(0, taken === 0 ? 0 : ends[taken - 1]), { level: DEFLATE_LEVEL, finishFlush: constants.Z_SYNC_FLUSH });
    const fits = (part: Buffer) => this.bytes + part.length <= limits.maxBytes;
    let taken = records.length;
    let part = deflate(taken);
    if (!fits(part)) {
      // Invariant: a run of `low` records fits (none always does), a run of `high` does not.
      let low = 0;
      let high = records.length;
      part = Buffer.alloc(0);
      while (high - low > 1) {
        const middle = (low + high) >>> 1;
        const candidate = deflate(middle);
        if (fits(candidate)) [low, part] = [middle, candidate];
        else high = middle;
      }
      taken = low;
    }
    const lineCount = taken === records.length ? kept.length : kept.filter((index) => index < taken).length;
    if (lineCount > 0) {
      this.parts.push(part);
      this.count += lineCount;
      this.bytes += part.length;
      this.lastPageBytes = part.length;
    }
    return { taken, tooLarge: tooLarge.filter((index) => index < taken) };
  }

  finish(): PackedRecords {
    return { count: this.count, deflated: Buffer.concat([...this.parts, EMPTY_FINAL_BLOCK]) };
  }
}

/**
 * The page's lines, written as UTF-8 straight into one buffer kept from page to page (deflate reads it
 * before returning). Building them as strings, joined, then encoded for zlib made three copies of each
 * page on the heap: about a third of the packing time, and garbage the worker's small young generation
 * (the image's `--max-semi-space-size=2`) had to promote and collect. A record whose JSON is over
 * `maxRecordBytes` gets no line; `ends[i]` is where the lines of records 0..i end, so any run of records
 * from the first is a prefix of the buffer.
 */
function writeLines(records: readonly TraceRecord[], afterEarlierPages: boolean, maxRecordBytes: number): { lines: Buffer; ends: number[]; kept: number[]; tooLarge: number[] } {
  let at = 0;
  const ends: number[] = [];
  const kept: number[] = [];
  const tooLarge: number[] = [];
  for (let index = 0; index < records.length; index++) {
    const { timeMs, json } = eventOf(records[index]!);
    // UTF-8 never takes fewer bytes than UTF-16 code units: a record this long is too large without
    // writing it (and growing the kept buffer to three times its length).
    if (json.length > maxRecordBytes) {
      tooLarge.push(index);
      ends.push(at);
      continue;
    }
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8; a newline, a time in ms (at most 16
    // digits) and a tab come before it.
    const buffer = lineBufferWith(at + 18 + json.length * 3, at);
    const start = at;
    if (kept.length > 0 || afterEarlierPages) buffer[at++] = NEWLINE;
    if (timeMs !== undefined) at += buffer.write(String(timeMs), at, 'latin1');
    buffer[at++] = TAB;
    const jsonBytes = buffer.write(json, at, 'utf8');
    if (jsonBytes > maxRecordBytes) {
      at = start;
      tooLarge.push(index);
    } else {
      at += jsonBytes;
      kept.push(index);
    }
    ends.push(at);
  }
  return { lines: lineBuffer.subarray(0, at), ends, kept, tooLarge };
}

let lineBuffer = Buffer.alloc(0);

/** The line buffer, grown to at least `bytes` with its first `kept` bytes kept. */
function lineBufferWith(bytes: number, kept: number): Buffer {
  if (bytes > lineBuffer.length) {
    const grown = Buffer.allocUnsafe(Math.max(bytes, 2 * lineBuffer.length, 64 * 1024));
    lineBuffer.copy(grown, 0, 0, kept);
    lineBuffer = grown;
  }
  return lineBuffer;
}

/**
 * The page's events, exactly as packed; throws when the count does not match (a damaged page), or when
 * inflating would pass `maxInflatedBytes` (zlib's `maxOutputLength`: a page from an untrusted caller may be a
 * deflate bomb).
 */
export function unpackEvents(packed: PackedRecords, maxInflatedBytes?: number): PackedEvent[] {
  return unpackEventBytes(packed, maxInflatedBytes).map(({ timeMs, json }) => ({ timeMs, json: json.toString('utf8') }));
}

/** A packed record as the sender takes it: its JSON as the UTF-8 bytes it goes out as, and its received time. */
export interface PackedEventBytes {
  readonly timeMs: number | undefined;
  readonly json: Buffer;
}

/**
 * The page's events as slices of the inflated bytes, for the sender: decoding each record's JSON to a
 * string only to encode it again for the socket cost more than everything else the sender does per record.
 */
export function unpackEventBytes(packed: PackedRecords, maxInflatedBytes?: number): PackedEventBytes[] {
  if (packed.count === 0) return [];
  const deflated = packed.deflated ?? Buffer.from(packed.deflatedEvents ?? '', 'base64');
  const text = maxInflatedBytes === undefined ? inflateRawSync(deflated) : inflateRawSync(deflated, { maxOutputLength: maxInflatedBytes });
  const events: PackedEventBytes[] = [];
  for (let start = 0; start <= text.length; ) {
    const newline = text.indexOf(NEWLINE, start);
    const end = newline < 0 ? text.length : newline;
    const tab = text.indexOf(TAB, start);
    const hasTime = tab >= 0 && tab < end;
    events.push({ timeMs: hasTime && tab > start ? Number(text.toString('latin1', start, tab)) : undefined, json: text.subarray(hasTime ? tab + 1 : start, end) });
    start = end + 1;
  }
  if (events.length !== packed.count) throw new Error(`a packed page holds ${events.length} lines, not the ${packed.count} records it declares`);
  return events;
}

const NEWLINE = 0x0a;
const TAB = 0x09;
