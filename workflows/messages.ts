import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BackfillAccepted, BackfillInput } from './backfill.js';
import type { SettingsChange } from './settings.js';
import type { CollectorSettings, CollectorStatus } from './state.js';

/** Wire names are a contract with running workflows and the CLI: never rename them. */

/** Input of pauseSignal: why, shown in status. */
export interface PauseInput {
  readonly reason?: string;
}

/** Finish the pages in hand, then wait until resumed. A signal: fire and forget. */
export const pauseSignal = defineSignal<[PauseInput?]>('pause');

/** Carry on after a pause; also retries at once a step that is waiting on an operator fix. */
export const resumeSignal = defineSignal<[]>('resume');

/** The collector's status: cursor, lag, phase, totals, last error. Queries never touch history. */
export const statusQuery = defineQuery<CollectorStatus>('status');

/** Pull a past range again without stopping the live tail; answers with the accepted range or refuses it. */
export const backfillUpdate = defineUpdate<BackfillAccepted, [BackfillInput]>('backfill');

/** The same request, fire and forget: an invalid range is logged and dropped. */
export const backfillSignal = defineSignal<[BackfillInput]>('backfill');

/**
 * Change window, lag, page size or budget of a running collector, from its next window (or page); answers
 * with the settings now in effect. `o365-trace start --all` uses it when a tenant's settings changed.
 */
export const settingsUpdate = defineUpdate<CollectorSettings, [SettingsChange]>('updateSettings');
