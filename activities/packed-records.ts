import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { TraceRecord } from '../microsoft/records.js';

/**
 * A page's records as they travel through the workflow: one JSON line per record, deflated, in base64.
 * The workflow only passes a page from pullPage to sendToDevo; carried as an array of objects, each page
 * would be serialised, compressed and parsed again at every hop (activity result, workflow sandbox,
 * activity input). Packed, those hops move one short string; the payload codec still encrypts it.
 */
export interface PackedRecords {
  readonly count: number;
  /** base64 of the raw-deflated lines, `\n` between records (JSON never holds a raw newline). */
  readonly deflatedLines: string;
}

export function packRecords(records: readonly TraceRecord[]): PackedRecords {
  const lines = records.map((record) => JSON.stringify(record)).join('\n');
  // Level 1: the codec compresses the payload again, so a fast first pass is enough.
  return { count: records.length, deflatedLines: deflateRawSync(lines, { level: 1 }).toString('base64') };
}

/** The records' JSON lines, exactly as packed; throws when the count does not match (a damaged page). */
export function unpackLines(packed: PackedRecords): string[] {
  if (packed.count === 0) return [];
  const lines = inflateRawSync(Buffer.from(packed.deflatedLines, 'base64')).toString('utf8').split('\n');
  if (lines.length !== packed.count) throw new Error(`a packed page holds ${lines.length} lines, not the ${packed.count} records it declares`);
  return lines;
}
