/**
 * Text a caller hands the collector to keep (a pause reason) is kept short and printable: it is carried in
 * the state across every continue-as-new and answered in every status query, so a 100,000-character reason
 * would cost that much forever, and control characters would garble the CLI's one-line-per-fact output.
 */

/** The longest pause reason kept; longer ones are cut, ending with an ellipsis. */
export const MAX_REASON_CHARS = 200;

// Control characters (C0, DEL, C1) and the invisible format characters that reorder text (bidi overrides).
const UNPRINTABLE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]+/gu;

/** A caller's text as kept: non-strings dropped, unprintable runs made one space, trimmed, cut to `max`. */
export function callerText(value: unknown, max = MAX_REASON_CHARS): string | undefined {
  if (typeof value !== 'string') return undefined;
  const clean = value.replace(UNPRINTABLE, ' ').trim();
  if (clean.length === 0) return undefined;
  // Cut by code points, so a surrogate pair is never split.
  const chars = Array.from(clean.slice(0, max * 2));
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}
