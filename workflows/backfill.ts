import { ApplicationFailure } from '@temporalio/workflow';
import { RefusalType } from '../contracts/failure-types.js';
import { addRange, earliestStart, iso, MAX_PENDING_RANGES, type PendingSummary } from '../time-windows/index.js';
import { withDefaults, type CollectorSettings, type CollectorState } from './state.js';

/** Input of the backfill signal and update: an ISO range, half-open [from, to). */
export interface BackfillInput {
  readonly from: string;
  readonly to: string;
}

/**
 * What the backfill update answers: the range accepted (clipped to what the live cursor passed) and a
 * summary of what is pending now. Collectors from before bounded backfills answered with `pending`, the
 * whole list, instead of `queue`.
 */
export interface BackfillAccepted {
  readonly from: string;
  readonly to: string;
  readonly queue?: PendingSummary;
  /** Only in answers from collectors started before bounded backfills: every pending range. */
  readonly pending?: { from: string; to: string }[];
}

/** Pending ranges closer than this merge: a window's worth of records pulled twice costs less than a query. */
export function backfillMergeGapMs(settings: CollectorSettings): number {
  return settings.windowMs;
}

const invalid = (message: string) => ApplicationFailure.create({ type: RefusalType.InvalidBackfill, message, nonRetryable: true });

/**
 * Checks a backfill request before it reaches history: a real, ordered range, within the source's
 * retention, not in the future. Ranges the live cursor has not reached yet are the live collector's
 * job, so the accepted range ends at the cursor. With `bounded` (always in the validator; in the handler
 * for histories made since bounded backfills), a request that would leave more than MAX_PENDING_RANGES
 * ranges pending is refused.
 */
export function validateBackfill(input: BackfillInput, settings: CollectorSettings, state: CollectorState, nowMs: number, bounded = true): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(input?.from);
  const toMs = Date.parse(input?.to);
  if (Number.isNaN(fromMs) || Number.isNaN(toMs)) throw invalid('from and to must be ISO times, e.g. 2026-11-20T00:00:00Z');
  if (fromMs >= toMs) throw invalid(`from (${input.from}) must be before to (${input.to})`);
  if (toMs > nowMs) throw invalid(`to (${input.to}) is in the future`);
  const earliest = earliestStart(nowMs, settings.source, withDefaults(settings).retentionMarginMs);
  if (fromMs < earliest) throw invalid(`from (${input.from}) is beyond what ${settings.source} keeps; the earliest is ${iso(earliest)}`);
  const cursorMs = Date.parse(state.cursor);
  if (fromMs >= cursorMs) throw invalid(`the live collector has not reached ${input.from} yet (cursor ${state.cursor}); it will collect that range itself`);
  const accepted = { fromMs, toMs: Math.min(toMs, cursorMs) };
  const pending = state.backfill?.pending ?? [];
  if (bounded && addRange(pending, accepted.fromMs, accepted.toMs, backfillMergeGapMs(settings)).length > MAX_PENDING_RANGES) {
    throw ApplicationFailure.create({
      type: RefusalType.BackfillQueueFull,
      message: `${pending.length} backfill ranges are pending, the most a collector keeps is ${MAX_PENDING_RANGES}: ask for one range covering the others, or wait until some are done`,
      nonRetryable: true,
    });
  }
  return accepted;
}
