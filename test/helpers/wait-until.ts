import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `predicate` until it returns a truthy value or the deadline passes, like `waitUntil` in
 * sdk-typescript's test-helpers. Tests wait for eventual conditions through this, never fixed sleeps.
 */
export async function waitUntil<T>(
  predicate: () => T | Promise<T>,
  {
    timeoutMs = 30_000,
    intervalMs = 100,
    what = 'condition',
    explain,
  }: {
    timeoutMs?: number;
    intervalMs?: number;
    what?: string;
    /** What was seen last, for the timeout's message: a rare timeout then says where things stood. */
    explain?: () => string;
  } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `; ${explain()}` : ''}`, { cause: lastError });
    }
    await sleep(intervalMs);
  }
}
