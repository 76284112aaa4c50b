import type { Random } from './random.js';

/**
 * When a row shows up in the APIs. Microsoft says trace data appears 5–10 minutes after a message is
 * sent, while collectors plan for hours of delay and rows that are "not guaranteed to be sequential"
 * (docs/sources.md#late-rows). Each row therefore gets its own delay.
 *
 * - `immediate`: visible from its received time on (for tests that are not about lateness).
 * - `realistic` (default): uniform in [minMs, maxMs] (5–10 min), except a tail of `tailFraction` (3 %)
 *   spread up to `tailMaxMs` (6 h).
 * - `fixed`: exactly `delayMs` after receipt.
 */
export type VisibilityOptions =
  | { readonly kind: 'immediate' }
  | { readonly kind: 'realistic'; readonly minMs?: number; readonly maxMs?: number; readonly tailFraction?: number; readonly tailMaxMs?: number }
  | { readonly kind: 'fixed'; readonly delayMs: number };

/**
 * How long a row shows `gettingStatus` before its final status (docs/sources.md#status-changes), counted from its
 * received time: a fixed number of milliseconds (0 = settled from the start), or uniform in a range.
 * Default: uniform in 1–30 minutes, so a row first seen 5–10 minutes after receipt is often still
 * `gettingStatus` and changes later.
 */
export type StatusSettleOptions = number | { readonly minMs: number; readonly maxMs: number };

const MINUTE = 60_000;

/** The visibility used when none is given. */
export const DEFAULT_VISIBILITY: VisibilityOptions = { kind: 'realistic' };
/** The status settling used when none is given. */
export const DEFAULT_STATUS_SETTLE: StatusSettleOptions = { minMs: MINUTE, maxMs: 30 * MINUTE };

/** Draws one row's visibility delay in milliseconds. */
export function drawVisibilityDelay(random: Random, options: VisibilityOptions): number {
  switch (options.kind) {
    case 'immediate':
      return 0;
    case 'fixed':
      return options.delayMs;
    case 'realistic': {
      const { minMs = 5 * MINUTE, maxMs = 10 * MINUTE, tailFraction = 0.03, tailMaxMs = 360 * MINUTE } = options;
      const u = random.next();
      if (u < tailFraction) return Math.round(maxMs + (u / tailFraction) * (tailMaxMs - maxMs));
      return Math.round(minMs + random.next() * (maxMs - minMs));
    }
  }
}

/** Draws one row's settling delay in milliseconds. */
export function drawSettleDelay(random: Random, options: StatusSettleOptions): number {
  if (typeof options === 'number') return options;
  return Math.round(options.minMs + random.next() * (options.maxMs - options.minMs));
}

/** Checks options up front, so a bad dataset fails at start rather than as odd data; returns problems. */
export function visibilityProblems(visibility: VisibilityOptions, settle: StatusSettleOptions): string[] {
  const problems: string[] = [];
  const bad = (n: number | undefined): boolean => n !== undefined && (!Number.isFinite(n) || n < 0 || n > 2 ** 32 - 1);
  if (visibility.kind === 'fixed' && bad(visibility.delayMs)) problems.push('visibility.delayMs must be 0..2^32-1 ms');
  if (visibility.kind === 'realistic') {
    const { minMs, maxMs, tailFraction, tailMaxMs } = visibility;
    if ([minMs, maxMs, tailMaxMs].some(bad)) problems.push('visibility delays must be 0..2^32-1 ms');
    if (tailFraction !== undefined && !(tailFraction >= 0 && tailFraction <= 1)) problems.push('visibility.tailFraction must be in [0, 1]');
  }
  if (typeof settle === 'number' ? bad(settle) : bad(settle.minMs) || bad(settle.maxMs) || settle.maxMs < settle.minMs) {
    problems.push('statusSettleMs must be a delay or a {minMs, maxMs} range of 0..2^32-1 ms');
  }
  return problems;
}
