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
    if (records.length === 0) return;
    const part = deflateRawSync(writeLines(records, this.count > 0), { level: DEFLATE_LEVEL, finishFlush: constants.Z_SYNC_FLUSH });
    this.parts.push(part);
    this.count += records.length;
    this.bytes += part.length;
    this.lastPageBytes = part.length;
  }

  finish(): PackedRecords {
    return { count: this.count, deflated: Buffer.concat([...this.parts, EMPTY_FINAL_BLOCK]) };
  }
}

/**
 * The page's lines, written as UTF-8 straight into one buffer kept from page to page (deflate reads it
 * before returning). Building them as strings, joined, then encoded for zlib made three copies of each
 * page on the heap: about a third of the packing time, and garbage the worker's small young generation
 * (the image's `--max-semi-space-size=2`) had to promote and collect.
 */
function writeLines(records: readonly TraceRecord[], afterEarlierPages: boolean): Buffer {
  let at = 0;
  for (let index = 0; index < records.length; index++) {
    const { timeMs, json } = eventOf(records[index]!);
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8; a newline, a time in ms (at most 16
    // digits) and a tab come before it.
    const buffer = lineBufferWith(at + 18 + json.length * 3, at);
    if (index > 0 || afterEarlierPages) buffer[at++] = NEWLINE;
    if (timeMs !== undefined) at += buffer.write(String(timeMs), at, 'latin1');
    buffer[at++] = TAB;
    at += buffer.write(json, at, 'utf8');
  }
  return lineBuffer.subarray(0, at);
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
