import { reportProgress } from '../../workflows/metrics.js';
import type { CollectorSettings, CollectorState } from '../../workflows/state.js';

/** A test workflow that reports one state's progress gauges, so the test can scrape them. */
export async function reportProgressOnce(settings: CollectorSettings, state: CollectorState): Promise<void> {
  reportProgress(settings, state);
}
