import type { DatasetOptions } from '../../emulator/microsoft-365/dataset.js';
import type { MicrosoftEmulator } from '../../emulator/microsoft-365/index.js';
import type { TraceRecord } from '../../microsoft/records.js';
import { filterBounds } from '../../time-windows/index.js';

/**
 * A dataset whose rows are visible at once and already carry their final status, so "delivered
 * unchanged" can be checked field by field against the ground truth.
 */
export function settledDataset(options: Pick<DatasetOptions, 'records' | 'startMs' | 'endMs' | 'edgeRowsEveryMs'> & { seed?: number }): DatasetOptions {
  return { seed: 11, visibility: { kind: 'immediate' }, statusSettleMs: 0, ...options };
}

/** The emulator's Graph rows received in [fromMs, toMs), exactly as Graph sends them. */
export function graphTruth(emulator: MicrosoftEmulator, fromMs: number, toMs: number): TraceRecord[] {
  const { from, to } = filterBounds({ startMs: fromMs, endMs: toMs });
  return emulator.dataset.rowsIn(from, to).map(({ visibleAt: _v, settlesAt: _s, ...row }) => row as unknown as TraceRecord);
}

/** The emulator's Reporting Web Service rows received in [fromMs, toMs), without per-query fields. */
export function reportingTruth(emulator: MicrosoftEmulator, fromMs: number, toMs: number): TraceRecord[] {
  const { from, to } = filterBounds({ startMs: fromMs, endMs: toMs });
  return emulator.dataset.reportingRowsIn(from, to) as unknown as TraceRecord[];
}

/** A delivered RWS record without the fields that echo the query (StartDate, EndDate, Index). */
export function reportingProjection(record: TraceRecord): TraceRecord {
  const { StartDate: _s, EndDate: _e, Index: _i, ...rest } = record;
  return rest;
}
