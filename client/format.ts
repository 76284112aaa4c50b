/** Readable numbers, times and durations for the CLI's human output (`--json` keeps the raw values). */

const COUNT = new Intl.NumberFormat('en-US');

/** `1268` -> `1,268`. */
export function formatCount(n: number): string {
  return COUNT.format(n);
}

/** An ISO time in UTC without milliseconds when they are zero: `2026-11-24T19:25:00Z`; other text as given. */
export function formatTime(isoTime: string): string {
  const ms = Date.parse(isoTime);
  if (Number.isNaN(ms)) return isoTime;
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** A span in its two largest units, rounded down: `1h10m`, `2d3h`, `4m30s`, `12s`, `0s`; negative as `-…`. */
export function formatSpan(ms: number): string {
  if (ms < 0) return `-${formatSpan(-ms)}`;
  let rest = Math.floor(ms / 1_000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    } else if (parts.length > 0) break;
  }
  return parts.join('') || '0s';
}
