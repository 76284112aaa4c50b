import { proxyActivities } from '@temporalio/workflow';
import type { CollectorActivities } from '../activities/index.js';

/**
 * Activity stubs, one per family, every option explicit. Each has a schedule-to-close bound: however
 * Microsoft or Devo answer, and however the server's retries add up (a Throttled retry waits up to
 * 5 minutes, MAX_RETRY_AFTER_MS), one activity gives up within it. The workflow then records the error in
 * status, where an operator sees it, waits and runs the step again. Replay matches a scheduled activity by
 * its type and id, not its timeouts, so changing these leaves running histories valid (test/replay).
 */
export const { fetchToken } = proxyActivities<CollectorActivities>({
  startToCloseTimeout: '1 minute',
  // Five attempts of at most a minute, four waits of at most 5 minutes (throttled), with room to spare.
  scheduleToCloseTimeout: '30 minutes',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export const { pullPage } = proxyActivities<CollectorActivities>({
  // Microsoft takes 2-4 s for a 5,000-row page (docs/sources.md#graph-query), and each request gives up after 2 minutes
  // without an answer. A pull of up to 4 pages gets 5 minutes, so a later page that hangs ends its chunk
  // (keeping the pages before it) rather than the whole attempt timing out and pulling them again.
  startToCloseTimeout: '5 minutes',
  // Ten attempts could add up to hours (5-minute attempts, 5-minute throttle waits): after an hour of
  // failing, the tenant shows the error in status instead of retrying out of sight.
  scheduleToCloseTimeout: '1 hour',
  // The activity beats every 5 s while it waits on Microsoft: a worker that died mid-pull is noticed in
  // 20 s and the page is pulled again elsewhere, instead of after the whole start-to-close timeout.
  heartbeatTimeout: '20 seconds',
  // About six minutes of backoff, then the workflow records the error in status and keeps trying.
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export const { sendToDevo } = proxyActivities<CollectorActivities>({
  startToCloseTimeout: '10 minutes',
  // As for pulls: an hour of failed sends shows in status. Within the hour a retry resumes after the last
  // confirmed batch; the step the workflow runs afterwards is a new activity and sends the chunk again.
  scheduleToCloseTimeout: '1 hour',
  // It beats every 5 s and after each confirmed batch: 20 silent seconds mean the worker died, and the
  // page is sent again elsewhere from the last confirmed batch. A stuck connection is the sender's own
  // confirmation timeout's to end.
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});
