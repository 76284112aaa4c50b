import { METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { unpackEvents, type PackedRecords } from '../activities/packed-records.js';

/**
 * For people reading history in the Temporal UI: pages travel packed (deflated JSON lines, see
 * activities/packed-records.ts), which no one can read. The codec server's /decode shows each packed page
 * as its records instead. Display only: what /decode returns is never written back to history.
 */
export function withReadablePages(payload: Payload): Payload {
  if (Buffer.from(payload.metadata?.[METADATA_ENCODING_KEY] ?? []).toString() !== 'json/plain') return payload;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload.data ?? []).toString('utf8'));
  } catch {
    return payload;
  }
  return unpackIn(value) ? { ...payload, data: Buffer.from(JSON.stringify(value)) } : payload;
}

/** Replaces every packed page inside `value` by `{ count, records }`; true when it found one. */
function unpackIn(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  let found = false;
  for (const [key, child] of Object.entries(value)) {
    const packed = child as Partial<PackedRecords> | null;
    if (packed && typeof packed.deflatedEvents === 'string' && typeof packed.count === 'number') {
      const records = unpackEvents(packed as PackedRecords).map((event) => JSON.parse(event.json) as unknown);
      (value as Record<string, unknown>)[key] = { count: packed.count, records };
      found = true;
    } else if (unpackIn(child)) found = true;
  }
  return found;
}
