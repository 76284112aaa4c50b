import { parseDuration } from './durations.js';

/**
 * What is wrong with a collector's start (O365_START, or a tenant's `start`), or undefined when it is an
 * ISO time or a duration back such as 2h or 7d.
 */
export function startProblem(text: string): string | undefined {
  const valid = parseDuration(text) !== undefined || (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text)));
  return valid ? undefined : `expected an ISO time (2026-11-01T00:00:00Z) or a duration back such as 2h or 7d, got '${text}'`;
}
