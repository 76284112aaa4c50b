import type { GraphTraceRecord, ReportingTraceRecord } from '../../microsoft/records.js';
import type { AddressBook } from './dataset-content.js';

/**
 * The dataset's storage layout and the row forms it hands out: Graph rows, RWS rows and ground truth.
 * Field names and order are Microsoft's (docs/sources.md#rws-fields, #graph-fields), since tests compare them as JSON.
 */

/** The columns a generated dataset is made of: typed arrays per message and per row, no per-row strings. */
export interface DatasetColumns {
  readonly seed: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Ticks are counted from here, so they stay exact integers in a double. */
  readonly baseMs: number;
  readonly book: AddressBook;
  /** Per message: sender address index, subject template, direction | system flag << 2. */
  readonly msgSender: Uint32Array;
  readonly msgSubject: Uint8Array;
  readonly msgFlags: Uint8Array;
  /** Per row, in service order (newest first, then recipient ascending). */
  readonly rowTick: Float64Array;
  readonly rowMsg: Uint32Array;
  readonly rowRecipient: Uint32Array;
  readonly rowSize: Int32Array;
  readonly rowStatus: Uint8Array;
  readonly rowVisibleDelay: Uint32Array;
  readonly rowSettleDelay: Uint32Array;
}

/** A Graph messageTraces row: the same record type the collector's Graph client reads (docs/sources.md#graph-query). */
export type GraphRow = GraphTraceRecord;

/**
 * One row of ground truth: the Graph fields with the final status, plus when the row becomes visible
 * and when its status settles (ISO, millisecond precision). Drop the last two to get the wire form.
 */
export interface GroundTruthRow extends GraphRow {
  visibleAt: string;
  settlesAt: string;
}

/** A Reporting Web Service row without the query-dependent StartDate, EndDate and Index (docs/sources.md#rws-fields). */
export type ReportingRow = Omit<ReportingTraceRecord, 'StartDate' | 'EndDate' | 'Index'>;
