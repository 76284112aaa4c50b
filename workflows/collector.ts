import { allHandlersFinished, condition, continueAsNew, log, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { addRange, iso, msUntilDue, nextChunk, nextWindow, removeRange, summarisePending } from '../time-windows/index.js';
import { backfillMergeGapMs, validateBackfill, type BackfillAccepted, type BackfillInput } from './backfill.js';
import { callerText } from './caller-text.js';
import { backfillSignal, backfillUpdate, pauseSignal, resumeSignal, settingsUpdate, statusQuery } from './messages.js';
import { applySettingsChange } from './settings.js';
import { describeStatus, initialState, type CollectorInput, type CollectorState } from './state.js';
import { CURSOR, PHASE, SOURCE, TENANT } from './search-attributes.js';
import { reportProgress } from './metrics.js';
import { BOUNDED_BACKFILL, MID_WINDOW_CONTINUE_AS_NEW } from './patches.js';
import { CollectorSteps } from './steps.js';

/**
 * One long-lived collector per tenant. Loop: the next live window once it ends before now - lag → pull
 * every page following the API's next link → deliver each page to Devo, confirmed → advance the cursor.
 * Between live windows, pending backfill chunks are pulled page by page, giving way to the live tail.
 * The history is the checkpoint: after a crash the window resumes from its first unconfirmed page.
 */
export async function messageTraceCollector(input: CollectorInput): Promise<void> {
  const state: CollectorState = input.state ?? initialState(input.start, Date.now());
  const steps = new CollectorSteps(input.settings, state);
  const { tenantId, source, windowMs, lagMs } = steps.settings;
  log.info('collector started', { tenantId, source, cursor: state.cursor, windowMs, lagMs });

  const acceptBackfill = (request: BackfillInput): BackfillAccepted => {
    // Histories from before the bound took any number of ranges, merged only when touching, and answered
    // with the whole list; they replay so (patched() is false there).
    const bounded = patched(BOUNDED_BACKFILL);
    const { fromMs, toMs } = validateBackfill(request, steps.settings, state, Date.now(), bounded);
    state.backfill ??= { pending: [], deliveredMs: 0 };
    state.backfill.pending = addRange(state.backfill.pending, fromMs, toMs, bounded ? backfillMergeGapMs(steps.settings) : 0);
    steps.wakeups++;
    const accepted = { from: iso(fromMs), to: iso(toMs) };
    return bounded ? { ...accepted, queue: summarisePending(state.backfill.pending) } : { ...accepted, pending: [...state.backfill.pending] };
  };
  setHandler(statusQuery, () => describeStatus(steps.settings, state, steps.phase, Date.now()));
  // The reason is kept for as long as the pause, in every run's state and status answer: kept short.
  setHandler(pauseSignal, (pause) => void (state.paused ??= { since: iso(Date.now()), reason: callerText(pause?.reason) }));
  setHandler(resumeSignal, () => {
    state.paused = undefined;
    steps.wakeups++;
  });
  setHandler(backfillUpdate, acceptBackfill, { validator: (r) => void validateBackfill(r, steps.settings, state, Date.now()) });
  setHandler(
    settingsUpdate,
    (change) => {
      steps.settings = applySettingsChange(steps.settings, change);
      log.info('settings changed', { windowMs: steps.settings.windowMs, lagMs: steps.settings.lagMs, pageSize: steps.settings.pageSize });
      steps.wakeups++;
      return steps.settings;
    },
    { validator: (change) => void applySettingsChange(steps.settings, change) },
  );
  setHandler(backfillSignal, (request) => {
    try {
      acceptBackfill(request);
    } catch (err) {
      log.warn('backfill signal refused', { reason: (err as Error).message });
    }
  });

  let shown = '';
  /** Keeps the UI's search attributes current: cursor and phase, upserted only when they change. */
  const showInUi = () => {
    const { settings } = steps;
    if (!settings.searchAttributes || shown === `${state.cursor}|${steps.phase}`) return;
    shown = `${state.cursor}|${steps.phase}`;
    upsertSearchAttributes([
      { key: TENANT, value: settings.tenantId },
      { key: SOURCE, value: settings.source },
      { key: CURSOR, value: new Date(state.cursor) },
      { key: PHASE, value: state.paused ? 'paused' : steps.phase },
    ]);
  };

  /** What operators watch: the UI's search attributes and the worker's Prometheus gauges. */
  const report = () => {
    showInUi();
    reportProgress(steps.settings, state);
  };
  steps.onPhaseChange = report;
  steps.continueAsNew = async () => {
    await condition(allHandlersFinished);
    return continueAsNew<typeof messageTraceCollector>({ settings: steps.settings, start: input.start, state });
  };

  const liveWindowDue = () => nextWindow(Date.parse(state.cursor), Date.now(), steps.settings);
  let windowsThisRun = 0;
  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested ||
    (steps.settings.testContinueAsNewEveryWindows !== undefined && windowsThisRun >= steps.settings.testContinueAsNewEveryWindows);

  // A long window (a busy tenant, a 10-day backfill chunk) can outgrow the history on its own: when the
  // server suggests continue-as-new, stop between pages; the window's progress carries over. Histories
  // from before this rule carried on instead, so they replay unchanged (patched() is false there).
  const historyFull = () => workflowInfo().continueAsNewSuggested && patched(MID_WINDOW_CONTINUE_AS_NEW);

  while (!shouldContinueAsNew()) {
    report();
    await steps.untilResumed();
    const live = state.inProgress?.window ?? liveWindowDue();
    if (live) {
      if (await steps.collectPages('live', live, historyFull)) {
        state.cursor = iso(live.endMs);
        state.totals.windows++;
        windowsThisRun++;
      }
      continue;
    }
    const chunk = state.backfill?.inProgress?.window ?? nextChunk(state.backfill?.pending ?? []);
    if (chunk && state.backfill) {
      if (await steps.collectPages('backfill', chunk, () => liveWindowDue() !== undefined || historyFull())) {
        state.backfill.pending = removeRange(state.backfill.pending, chunk.startMs, chunk.endMs);
        state.backfill.deliveredMs += chunk.endMs - chunk.startMs;
      }
      continue;
    }
    await steps.waitFor(msUntilDue(Date.parse(state.cursor), Date.now(), steps.settings), 'waiting');
  }
  await steps.continueAsNew();
}
