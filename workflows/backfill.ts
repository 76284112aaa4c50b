import { ApplicationFailure } from '@temporalio/workflow';
import { earliestStart, iso } from '../time-windows/index.js';
import type { CollectorSettings, CollectorState } from './state.js';

/** Input of the backfill signal and update: an ISO range, half-open [from, to). */
export interface BackfillInput {
  readonly from: string;
  readonly to: string;
}

/** What the backfill update answers: the range accepted (clipped to what the live cursor passed). */
export interface BackfillAccepted {
  readonly from: string;
  readonly to: string;
  readonly pending: { from: string; to: string }[];
}

const invalid = (message: string) => ApplicationFailure.create({ type: 'InvalidBackfill', message, nonRetryable: true });

/**
 * Checks a backfill request before it reaches history: a real, ordered range, within the source's
 * retention, not in the future. Ranges the live cursor has not reached yet are the live collector's
 * job, so the accepted range ends at the cursor.
 */
export function validateBackfill(input: BackfillInput, settings: CollectorSettings, state: CollectorState, nowMs: number): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(input?.from);
  const toMs = Date.parse(input?.to);
  if (Number.isNaN(fromMs) || Number.isNaN(toMs)) throw invalid('from and to must be ISO times, e.g. 2026-11-20T00:00:00Z');
  if (fromMs >= toMs) throw invalid(`from (${input.from}) must be before to (${input.to})`);
  if (toMs > nowMs) throw invalid(`to (${input.to}) is in the future`);
  const earliest = earliestStart(nowMs, settings.source, settings.retentionMarginMs ?? 3_600_000);
  if (fromMs < earliest) throw invalid(`from (${input.from}) is beyond what ${settings.source} keeps; the earliest is ${iso(earliest)}`);
  const cursorMs = Date.parse(state.cursor);
  if (fromMs >= cursorMs) throw invalid(`the live collector has not reached ${input.from} yet (cursor ${state.cursor}); it will collect that range itself`);
  return { fromMs, toMs: Math.min(toMs, cursorMs) };
}
