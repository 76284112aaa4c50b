import { proxyActivities } from '@temporalio/workflow';
import type { CollectorActivities } from '../activities/index.js';

/** Activity stubs, one per family, every option explicit. */
export const { fetchToken } = proxyActivities<CollectorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export const { pullPage } = proxyActivities<CollectorActivities>({
  // Microsoft takes 2-4 s for a 5,000-row page (reference §2.3); two minutes covers a slow day.
  startToCloseTimeout: '2 minutes',
  // About six minutes of backoff, then the workflow records the error in status and keeps trying.
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export const { sendToDevo } = proxyActivities<CollectorActivities>({
  startToCloseTimeout: '10 minutes',
  // Each confirmed batch heartbeats; a silent minute means the attempt is stuck and is retried from there.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});
