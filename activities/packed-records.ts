import { constants, deflateRawSync } from 'node:zlib';
import type { PackedRecords } from '../contracts/activity-io.js';
import { NEWLINE, TAB, type PackedEvent } from '../records/packed-lines.js';
import type { TraceRecord } from '../microsoft/records.js';
import { receivedTimeMs } from '../microsoft/received-time.js';

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
