import { METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import type { PackedRecords } from '../contracts/activity-io.js';
import { unpackEvents } from '../records/packed-lines.js';
import { encodingOf } from './codec.js';
import { PACKED_RECORDS_ENCODING, payloadConverter } from './payload-converter.js';

/**
 * For people reading history in the Temporal UI: pages travel packed (deflated JSON lines, see
 * activities/packed-records.ts), which no one can read. The codec server's /decode shows each packed page
 * as its records instead, as JSON. Display only: what /decode returns is never written back to history.
 */
export function withReadablePages(payload: Payload, maxInflatedBytes?: number): Payload {
  const encoding = encodingOf(payload);
  if (encoding !== 'json/plain' && encoding !== PACKED_RECORDS_ENCODING) return payload;
  try {
    const value = payloadConverter.fromPayload(payload);
    return unpackIn(value, maxInflatedBytes) ? { metadata: { [METADATA_ENCODING_KEY]: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) } : payload;
  } catch {
    // Not ours to show (unparsable, a damaged page, or one that would inflate past the limit): as it came.
    return payload;
  }
}

/** Replaces every packed page inside `value` by `{ count, records }`; true when it found one. */
function unpackIn(value: unknown, maxInflatedBytes: number | undefined): boolean {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  let found = false;
  for (const [key, child] of Object.entries(value)) {
    if (isPackedRecords(child)) {
      const records = unpackEvents(child, maxInflatedBytes).map((event) => JSON.parse(event.json) as unknown);
      (value as Record<string, unknown>)[key] = { count: child.count, records };
      found = true;
    } else if (unpackIn(child, maxInflatedBytes)) found = true;
  }
  return found;
}

/** A packed page in either form: binary bytes, or base64 text in histories written before binary packing. */
export function isPackedRecords(value: unknown): value is PackedRecords {
  if (typeof value !== 'object' || value === null) return false;
  const packed = value as Partial<PackedRecords>;
  return typeof packed.count === 'number' && (ArrayBuffer.isView(packed.deflated) || typeof packed.deflatedEvents === 'string');
}
