import { receivedTimeMs } from './received-time.js';
import type { TraceRecord } from './records.js';

/**
 * Sorts a page's rows into records the collector can handle and rows it cannot. A row is usable when it
 * is a plain object with the fields that identify it (message id and recipient, see recordKey) and a
 * received time in one of the API's forms. Anything else goes to the dead-letter file instead of
 * stopping the collector: one odd row must not block a tenant's whole stream.
 */

/** Message trace rows are flat; a row nested deeper than this cannot be serialised safely. */
export const MAX_ROW_DEPTH = 32;

/** What stands in the dead-letter file for a row too deeply nested to serialise. */
export const TOO_DEEP_ROW = `[a row nested deeper than ${MAX_ROW_DEPTH} levels, not kept]`;

/** The rows of one page, sorted. */
export interface SortedRows {
  /** Usable rows, in the page's order. */
  readonly records: TraceRecord[];
  /** Rows that are not message trace records, as given (or TOO_DEEP_ROW), in the page's order. */
  readonly unparseable: unknown[];
}

/** Sorts `rows` as the given API writes them (Graph camelCase, Reporting Web Service PascalCase). */
export function sortRows(rows: readonly unknown[], source: 'graph' | 'reporting'): SortedRows {
  const records: TraceRecord[] = [];
  const unparseable: unknown[] = [];
  for (const row of rows) {
    if (nestedDeeperThan(row, MAX_ROW_DEPTH)) unparseable.push(TOO_DEEP_ROW);
    else if (isUsable(row, source)) records.push(row);
    else unparseable.push(row);
  }
  return { records, unparseable };
}

function isUsable(row: unknown, source: 'graph' | 'reporting'): row is TraceRecord {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return false;
  const r = row as TraceRecord;
  if (source === 'graph') return text(r.id) && text(r.recipientAddress) && receivedTimeMs(r.receivedDateTime) !== undefined;
  // MessageId may be null in the Reporting Web Service (docs/sources.md#rws-fields); MessageTraceId then identifies the row.
  return (text(r.MessageTraceId) || text(r.MessageId)) && text(r.RecipientAddress) && receivedTimeMs(r.Received) !== undefined;
}

const text = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';

/** Walks the value without recursion, so a hostile depth cannot overflow the stack here. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}
