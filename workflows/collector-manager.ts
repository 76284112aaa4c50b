import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { failureMeaning } from '../contracts/failure-types.js';
import { addRange, iso, msUntilDue, nextChunk, nextWindow, removeRange, summarisePending, type TimeWindow } from '../time-windows/index.js';
import { backfillMergeGapMs, validateBackfill, type BackfillAccepted, type BackfillInput } from './backfill.js';
import { BudgetLedger } from './budget-ledger.js';
import { callerText } from './caller-text.js';
import { backfillSignal, backfillUpdate, pauseSignal, resumeSignal, settingsUpdate, statusQuery } from './messages.js';
import { reportProgress } from './metrics.js';
import { BOUNDED_BACKFILL, CONTINUE_AS_NEW_FROM_WAITS, MID_WINDOW_CONTINUE_AS_NEW } from './patches.js';
import { CURSOR, PHASE, SOURCE, TENANT } from './search-attributes.js';
import { applySettingsChange } from './settings.js';
import { describeStatus, withDefaults, type CollectorInput, type CollectorPhase, type CollectorSettings, type RunState } from './state.js';
import { initialState, upgradeState } from './upgrade-state.js';
import { WindowPipeline } from './window-pipeline.js';

const DAY_MS = 86_400_000;

/**
 * One tenant's collector inside one workflow run: it owns the state, the settings and the phase, registers
 * the message handlers that change them, and offers the steps the workflow's loop is made of. Nothing else
 * assigns its fields (after samples-typescript message-passing/safe-message-handlers' ClusterManager).
 */
export class CollectorManager {
  readonly state: RunState;
  readonly ledger = new BudgetLedger(this);
  private readonly pipeline = new WindowPipeline(this);
  private currentSettings: CollectorSettings;
  private phase: CollectorPhase = 'running';
  /** Bumped by resume and backfill requests, to cut a wait short. */
  private wakeups = 0;
  private windowsThisRun = 0;
  /** The cursor and phase last shown in the UI's search attributes. */
  private shown = '';

  constructor(private readonly input: CollectorInput) {
    this.state = input.state ? upgradeState(input.state) : initialState(input.start, Date.now());
    this.currentSettings = input.settings;
    const { tenantId, source, windowMs, lagMs } = input.settings;
    log.info('collector started', { tenantId, source, cursor: this.state.cursor, windowMs, lagMs });
  }

  /** Replaced by the settings update; read afresh at every step. */
  get settings(): CollectorSettings {
    return this.currentSettings;
  }

  registerHandlers(): void {
    setHandler(statusQuery, () => describeStatus(this.settings, this.state, this.phase, Date.now()));
    // The reason is kept for as long as the pause, in every run's state and status answer: kept short.
    setHandler(pauseSignal, (pause) => void (this.state.paused ??= { since: iso(Date.now()), reason: callerText(pause?.reason) }));
    setHandler(resumeSignal, () => this.resume());
    setHandler(backfillUpdate, (request) => this.acceptBackfill(request), { validator: (r) => void validateBackfill(r, this.settings, this.state, Date.now()) });
    setHandler(settingsUpdate, (change) => this.changeSettings(change), { validator: (change) => void applySettingsChange(this.settings, change) });
    setHandler(backfillSignal, (request) => {
      try {
        this.acceptBackfill(request);
      } catch (err) {
        log.warn('backfill signal refused', { reason: (err as Error).message });
      }
    });
  }

  private resume(): void {
    this.state.paused = undefined;
    this.wakeups++;
  }

  private acceptBackfill(request: BackfillInput): BackfillAccepted {
    // Histories from before the bound took any number of ranges, merged only when touching, and answered
    // with the whole list; they replay so (patched() is false there).
    const bounded = patched(BOUNDED_BACKFILL);
    const { fromMs, toMs } = validateBackfill(request, this.settings, this.state, Date.now(), bounded);
    const backfill = (this.state.backfill ??= { pending: [], deliveredMs: 0 });
    backfill.pending = addRange(backfill.pending, fromMs, toMs, bounded ? backfillMergeGapMs(this.settings) : 0);
    this.wakeups++;
    const accepted = { from: iso(fromMs), to: iso(toMs) };
    return bounded ? { ...accepted, queue: summarisePending(backfill.pending) } : { ...accepted, pending: [...backfill.pending] };
  }

  private changeSettings(change: Parameters<typeof applySettingsChange>[1]): CollectorSettings {
    this.currentSettings = applySettingsChange(this.settings, change);
    log.info('settings changed', { windowMs: this.settings.windowMs, lagMs: this.settings.lagMs, pageSize: this.settings.pageSize });
    this.wakeups++;
    return this.settings;
  }

  /** The live window in hand, or the next one once it ends before now - lag. */
  nextLiveWindow(): TimeWindow | undefined {
    return this.state.inProgress?.window ?? this.liveWindowDue();
  }

  /** Pulls and sends the live window's pages, then advances the cursor past it (unless it had to stop between pages). */
  async collectLiveWindow(window: TimeWindow): Promise<void> {
    if (!(await this.pipeline.collect('live', window, () => this.historyFull()))) return;
    this.state.cursor = iso(window.endMs);
    this.state.totals.windows++;
    this.windowsThisRun++;
  }

  /** The backfill chunk in hand, or the next pending one. */
  nextBackfillChunk(): TimeWindow | undefined {
    if (!this.state.backfill) return undefined;
    return this.state.backfill.inProgress?.window ?? nextChunk(this.state.backfill.pending);
  }

  /** Pulls and sends a backfill chunk's pages, giving way between pages to a live window that falls due. */
  async collectBackfillChunk(chunk: TimeWindow): Promise<void> {
    const backfill = this.state.backfill!;
    if (!(await this.pipeline.collect('backfill', chunk, () => this.liveWindowDue() !== undefined || this.historyFull()))) return;
    backfill.pending = removeRange(backfill.pending, chunk.startMs, chunk.endMs);
    backfill.deliveredMs += chunk.endMs - chunk.startMs;
  }

  /** Waits until the next live window is due, or a message wakes the loop. */
  waitForNextWindow(): Promise<void> {
    return this.waitFor(msUntilDue(Date.parse(this.state.cursor), Date.now(), this.settings), 'waiting');
  }

  shouldContinueAsNew(): boolean {
    const everyWindows = this.settings.testContinueAsNewEveryWindows;
    return workflowInfo().continueAsNewSuggested || (everyWindows !== undefined && this.windowsThisRun >= everyWindows);
  }

  /** Continues as new once every handler has finished, carrying the state and the settings in effect. */
  async continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    return continueAsNew<(input: CollectorInput) => Promise<void>>({ settings: this.settings, start: this.input.start, state: this.state });
  }

  /** What operators watch: the UI's search attributes and the worker's Prometheus gauges. */
  report(): void {
    this.showInUi();
    reportProgress(this.settings, this.state);
  }

  /** Keeps the UI's search attributes current: cursor and phase, upserted only when they change. */
  private showInUi(): void {
    const { settings, state } = this;
    if (!settings.searchAttributes || this.shown === `${state.cursor}|${this.phase}`) return;
    this.shown = `${state.cursor}|${this.phase}`;
    upsertSearchAttributes([
      { key: TENANT, value: settings.tenantId },
      { key: SOURCE, value: settings.source },
      { key: CURSOR, value: new Date(state.cursor) },
      { key: PHASE, value: state.paused ? 'paused' : this.phase },
    ]);
  }

  private liveWindowDue(): TimeWindow | undefined {
    return nextWindow(Date.parse(this.state.cursor), Date.now(), this.settings);
  }

  /**
   * A long window (a busy tenant, a 10-day backfill chunk) can outgrow the history on its own: when the
   * server suggests continue-as-new, stop between pages; the window's progress carries over. Histories
   * from before this rule carried on instead, so they replay unchanged (patched() is false there).
   */
  private historyFull(): boolean {
    return workflowInfo().continueAsNewSuggested && patched(MID_WINDOW_CONTINUE_AS_NEW);
  }

  /** Waits for `ms`, or less when a signal arrives (or `orUntil` holds). */
  async waitFor(ms: number, phase: CollectorPhase, orUntil: () => boolean = () => false): Promise<void> {
    this.phase = phase;
    this.report();
    const seen = this.wakeups;
    await condition(() => this.wakeups !== seen || (phase !== 'paused' && this.state.paused !== undefined) || orUntil(), ms);
    this.phase = 'running';
    this.report();
  }

  /**
   * A wait for an operator (blocked, paused), which can last weeks: every retry or message adds events, so
   * when the server suggests continue-as-new the run continues as new from here, carrying the state. A chunk
   * pulled but not yet sent is left behind and pulled again by the next run from the saved progress. Runs
   * from before this rule waited on in the same run; they replay unchanged (patched() is false there).
   */
  private async waitForOperator(ms: number, phase: CollectorPhase): Promise<void> {
    const mayContinue = patched(CONTINUE_AS_NEW_FROM_WAITS);
    const suggested = () => mayContinue && workflowInfo().continueAsNewSuggested;
    if (!suggested()) await this.waitFor(ms, phase, suggested);
    if (suggested()) {
      log.info('continuing as new while waiting', { phase, events: workflowInfo().historyLength });
      await this.continueAsNew();
    }
  }

  async untilResumed(): Promise<void> {
    while (this.state.paused) await this.waitForOperator(DAY_MS, 'paused');
  }

  /** Runs a step until it succeeds; failures that need an operator, or that exhausted their retries, wait. */
  async untilDone<T>(step: () => Promise<T>): Promise<T> {
    return (await this.untilDoneOr(step, () => false)) as T;
  }

  /** As untilDone, but returns undefined at once on a failure whose type `stop` accepts (the error stays in status). */
  async untilDoneOr<T>(step: () => Promise<T>, stop: (type: string) => boolean): Promise<T | undefined> {
    for (;;) {
      try {
        const result = await step();
        this.state.lastError = undefined;
        return result;
      } catch (err) {
        // Any activity failure (typed, or timed out after its retries) waits and retries the
        // step: a collector must never end because Microsoft or Devo misbehaved for a while.
        if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
        const type = err.cause instanceof ApplicationFailure && err.cause.type ? err.cause.type : (err.cause?.name ?? 'ActivityFailure');
        const hint = failureMeaning(type)?.hint;
        this.state.lastError = { type, message: err.cause?.message ?? err.message, hint, at: iso(Date.now()) };
        if (stop(type)) return undefined;
        log.warn('step failed; retrying later', { type, needsOperator: hint !== undefined });
        const { blockedRetryMs, errorRetryMs } = withDefaults(this.settings);
        await this.waitForOperator(hint ? blockedRetryMs : errorRetryMs, hint ? 'blocked' : 'running');
        await this.untilResumed();
      }
    }
  }
}
