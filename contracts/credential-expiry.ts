/** A certificate (Microsoft's client certificate, or Devo's) this close to its end makes status warn. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;

/**
 * How far a certificate ending at `expiresAt` (ISO) is from its end: whole days left (rounded down,
 * negative once expired) and, from EXPIRY_WARNING_DAYS out, the words for when it ends, for a warning.
 */
export function expiryOf(expiresAt: string, nowMs: number): { readonly daysLeft: number; readonly when?: string } {
  const leftMs = Date.parse(expiresAt) - nowMs;
  const daysLeft = Math.floor(leftMs / DAY_MS);
  if (daysLeft >= EXPIRY_WARNING_DAYS) return { daysLeft };
  return { daysLeft, when: leftMs <= 0 ? `expired at ${expiresAt}` : `expires at ${expiresAt} (${daysLeft} days left)` };
}
