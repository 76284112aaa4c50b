import { heartbeat } from '@temporalio/activity';

/** How often a running activity tells the server it is alive; the stubs' heartbeat timeout is a few times this. */
export const HEARTBEAT_EVERY_MS = 5_000;

/**
 * Runs `work` while heartbeating on a timer, so a worker that dies mid-activity is noticed within the
 * heartbeat timeout (seconds), not the start-to-close timeout (minutes), and the activity is retried on
 * another worker. `details` gives the progress to report with each beat: a beat without it would erase
 * the progress a retried attempt resumes from.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>, details: () => unknown = () => undefined): Promise<T> {
  const timer = setInterval(() => heartbeat(details()), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
