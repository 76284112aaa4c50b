import { inflateRawSync } from 'node:zlib';
import type { PackedRecords } from '../contracts/activity-io.js';

/**
 * Reading packed records (contracts/activity-io.ts PackedRecords): one line per record,
 * `<received ms>\t<JSON>`, raw-deflated. Shared by the sender and the codec server's readable pages;
 * activities/packed-records.ts writes them.
 */

export const NEWLINE = 0x0a;
export const TAB = 0x09;

/** One record ready to send: its JSON exactly as Microsoft's fields and values, and its received time. */
export interface PackedEvent {
  /** The record's received time (ms), or undefined when it has none that parses. */
  readonly timeMs: number | undefined;
  readonly json: string;
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

