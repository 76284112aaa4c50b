import { ActivityFailure, ApplicationFailure, condition, isCancellation, log, patched, workflowInfo } from '@temporalio/workflow';
import { sendInputOf, type PulledPage } from '../contracts/activity-io.js';
import type { ResumePoint } from '../microsoft/resume-point.js';
import { budgetWaitMs, DEFAULT_BUDGET, iso, recentCalls, type TimeWindow } from '../time-windows/index.js';
import { fetchToken, pullPage, sendToDevo } from './activity-stubs.js';
import { FailureType, OPERATOR_HINTS } from '../contracts/failure-types.js';
import { CONTINUE_AS_NEW_FROM_WAITS, PAGE_CHUNKS_PATCH, PIPELINE_PATCH } from './patches.js';
import type { CollectorPhase, CollectorSettings, CollectorState, WindowProgress } from './state.js';

/** Refresh the token when it expires within this margin. */
const TOKEN_MARGIN_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
/**
 * At most this many pages per pullPage; the activity stops sooner when the packed chunk grows large
 * (MAX_CHUNK_BYTES), so big pages or records make chunks of one page.
 */
export const MAX_PAGES_PER_PULL = 4;

/** Which progress slot a window's pages are tracked in. */
export type Lane = 'live' | 'backfill';

/**
 * The collector's steps over its state: waiting, retrying steps that need an operator, keeping a token,
 * and pulling and delivering the pages of one window. Owned by one workflow run.
 */
export class CollectorSteps {
  phase: CollectorPhase = 'running';
  /** Bumped by resume and backfill requests, to cut a wait short. */
  wakeups = 0;
  /** Called whenever the phase changes, e.g. to update the UI's search attributes. */
  onPhaseChange: () => void = () => undefined;
  /** Continues as new with the state (the workflow sets it); the waits for an operator call it. */
  continueAsNew: () => Promise<never> = () => Promise.reject(new Error('continueAsNew is not set'));

  constructor(
    /** Replaced by the settings update; read afresh at every step. */
    public settings: CollectorSettings,
    readonly state: CollectorState,
  ) {}

  /** Waits for `ms`, or less when a signal arrives (or `orUntil` holds). */
  async waitFor(ms: number, phase: CollectorPhase, orUntil: () => boolean = () => false): Promise<void> {
    this.phase = phase;
    this.onPhaseChange();
    const seen = this.wakeups;
    await condition(() => this.wakeups !== seen || (phase !== 'paused' && this.state.paused !== undefined) || orUntil(), ms);
    this.phase = 'running';
    this.onPhaseChange();
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
        const hint = OPERATOR_HINTS[type as keyof typeof OPERATOR_HINTS];
        this.state.lastError = { type, message: err.cause?.message ?? err.message, hint, at: iso(Date.now()) };
        log.warn('step failed; retrying later', { type, needsOperator: hint !== undefined });
        const s = this.settings;
        await this.waitForOperator(hint ? (s.blockedRetryMs ?? 5 * 60_000) : (s.errorRetryMs ?? 60_000), hint ? 'blocked' : 'running');
        await this.untilResumed();
      }
    }
  }

  private async accessToken(): Promise<string> {
    const { state, settings } = this;
    if (!state.token || state.token.expiresAtMs - Date.now() < TOKEN_MARGIN_MS) {
      const fetched = await fetchToken({ tenantId: settings.tenantId, source: settings.source });
      state.token = { accessToken: fetched.accessToken, expiresAtMs: fetched.expiresAtMs };
      // The credential's public facts (kind, setting, certificate end) for status; workers before this send none.
      if (fetched.credential) state.credential = fetched.credential;
      state.totals.tokenFetches++;
    }
    return state.token.accessToken;
  }

  /**
   * Waits until one more Microsoft call fits the tenant's budget and books it, then books up to `wanted`
   * in all as long as more fit without waiting. Returns how many were booked.
   */
  private async spendBudget(lane: Lane, wanted = 1): Promise<number> {
    const budget = this.settings.budget ?? DEFAULT_BUDGET;
    for (;;) {
      const wait = budgetWaitMs(this.state.recentCalls ?? [], Date.now(), budget, lane);
      if (wait === 0) break;
      await this.waitFor(wait, 'waiting');
    }
    let booked = 0;
    do {
      this.state.recentCalls = [...recentCalls(this.state.recentCalls ?? [], Date.now(), budget), Date.now()];
      booked++;
    } while (booked < wanted && budgetWaitMs(this.state.recentCalls, Date.now(), budget, lane) === 0);
    this.state.totals.apiCalls += booked;
    return booked;
  }

  /** Gives back booked calls that were not made. */
  private refundBudget(unused: number): void {
    if (unused <= 0) return;
    this.state.recentCalls = (this.state.recentCalls ?? []).slice(0, -unused);
    this.state.totals.apiCalls -= unused;
  }

  /**
   * Pulls the next page of a window. When Microsoft refuses its own next link (400: the double-encoded
   * skiptoken, docs/sources.md#double-encoded-skiptoken), the rest of the window is queried afresh from the last row
   * delivered, instead of retrying a link that will never work.
   */
  private async pullNext(lane: Lane, window: TimeWindow, progress: WindowProgress, page: number): Promise<PulledPage> {
    const queryTheRest = (resumePoint: ResumePoint) => {
      log.warn('Microsoft refused its own next link; querying the rest of the window afresh', { page, window: describeWindow(window) });
      this.state.totals.recoveredLinks = (this.state.totals.recoveredLinks ?? 0) + 1;
      return this.pull(lane, window, undefined, page, resumePoint);
    };
    if (progress.nextLinkRefused && progress.resumePoint) return queryTheRest(progress.resumePoint);
    try {
      return await this.pull(lane, window, progress.nextLink, page, undefined);
    } catch (err) {
      const refused = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === FailureType.RequestRejected;
      if (!refused || !progress.nextLink || !progress.resumePoint) throw err;
      return queryTheRest(progress.resumePoint);
    }
  }

  /** Pulls a page (or a chunk); a refused token is replaced once, then the refusal counts as an operator failure. */
  private async pull(lane: Lane, window: TimeWindow, nextLink: string | undefined, page: number, resumeAfter: ResumePoint | undefined): Promise<PulledPage> {
    const { settings } = this;
    // Histories from before chunks keep one call per pull, as their timers were set by.
    const wanted = patched(PAGE_CHUNKS_PATCH) ? MAX_PAGES_PER_PULL : 1;
    for (let attempt = 1; ; attempt++) {
      let booked = 0;
      try {
        const accessToken = await this.accessToken();
        booked = await this.spendBudget(lane, wanted);
        const input = { tenantId: settings.tenantId, source: settings.source, window, pageSize: settings.pageSize, accessToken, nextLink, page, resumeAfter, ...(booked > 1 && { maxPages: booked }) };
        const pulled = await pullPage.executeWithOptions({ summary: `pull ${describeWindow(window)} page ${page}` }, [input]);
        // The calls made: its pages, and the later page that failed, if one ended the chunk early.
        this.refundBudget(booked - (pulled.pages ?? 1) - (pulled.endedBy ? 1 : 0));
        return pulled;
      } catch (err) {
        // A failed pull failed on its first page: later pages end a chunk early instead of failing it.
        this.refundBudget(booked - 1);
        const refused = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === FailureType.TokenRejected;
        if (!refused || attempt >= 2) throw err;
        log.info('token refused mid-window; fetching a fresh one', { page });
        this.state.token = undefined;
      }
    }
  }

  private progressOf(lane: Lane): WindowProgress | undefined {
    return lane === 'live' ? this.state.inProgress : this.state.backfill?.inProgress;
  }

  private setProgress(lane: Lane, progress: WindowProgress | undefined): void {
    if (lane === 'live') this.state.inProgress = progress;
    else if (this.state.backfill) this.state.backfill.inProgress = progress;
  }

  /**
   * Pulls and delivers the window's pages from where its lane left off. Returns true when the window is
   * complete, false when `interrupt` asked to yield between pages (backfill gives way to live windows; any
   * window stops when the server suggests continue-as-new).
   *
   * Pipelined: while one pull's pages (a chunk) are sent, the next chunk is pulled. Sends stay in page
   * order and the progress (hence the cursor) still moves only past confirmed pages; a chunk pulled ahead
   * lives only in this run's history, so nothing pulled ahead is left behind when yielding: an interrupt
   * first sends it.
   */
  async collectPages(lane: Lane, window: TimeWindow, interrupt: () => boolean = () => false): Promise<boolean> {
    if (this.progressOf(lane)?.window.startMs !== window.startMs) this.setProgress(lane, { window, pagesDone: 0, records: 0 });
    let pulledAhead: Promise<PulledPage | undefined> | undefined;
    for (;;) {
      const progress: WindowProgress = this.progressOf(lane)!;
      const { pagesDone, records = 0 } = progress;
      const page = pagesDone + 1;
      const pulled: PulledPage = (await pulledAhead) ?? (await this.untilDone(() => this.pullNext(lane, window, progress, page)));
      pulledAhead = undefined;
      const lastPage = page + (pulled.pages ?? 1) - 1;
      // A later page of the chunk refused with 400 is Microsoft refusing its own next link: never asked for again.
      // A page cut to fit the pull's byte limit goes on the same way, from its last row kept (absent in older histories).
      const nextLinkRefused = pulled.endedBy === FailureType.RequestRejected || pulled.cutShort === true;
      const after: WindowProgress | undefined = pulled.nextLink || pulled.cutShort
        ? { window, pagesDone: lastPage, nextLink: pulled.nextLink, resumePoint: pulled.resumePoint, ...(nextLinkRefused && { nextLinkRefused }) }
        : undefined;
      // Replaying a history from before pipelining keeps its one-page-at-a-time order (patched() is false there).
      if (after && !interrupt() && !this.state.paused && patched(PIPELINE_PATCH)) pulledAhead = this.pullAhead(lane, window, after, lastPage + 1);
      // A failed send never costs an API call: the page stays in hand (and in history) until confirmed.
      const pages = lastPage > page ? `pages ${page}-${lastPage}` : `page ${page}`;
      const summary = `send ${pulled.packed?.count ?? pulled.records?.length ?? 0} records of ${describeWindow(window)} ${pages}`;
      const content = sendInputOf(pulled);
      const sent = await this.untilDone(() => sendToDevo.executeWithOptions({ summary }, [{ tenantId: this.settings.tenantId, ...content, window, page }]));
      const totals = this.state.totals;
      totals.records += sent.delivered;
      totals.pages += lastPage - page + 1;
      totals.resent += sent.resent;
      totals.oversize += sent.oversize;
      if (pulled.deadLettered) totals.deadLettered = (totals.deadLettered ?? 0) + pulled.deadLettered;
      if (!after) {
        this.setProgress(lane, undefined);
        log.info(lane === 'live' ? 'window done' : 'backfill chunk done', { window: describeWindow(window), pages: lastPage, records: records + sent.delivered });
        return true;
      }
      this.setProgress(lane, { ...after, records: records + sent.delivered });
      await this.untilResumed();
      if (!pulledAhead && interrupt()) return false;
    }
  }

  /**
   * Pulls the next page while the current one is sent. Speculative: if it fails, the page is pulled again
   * in the ordinary way (with the operator-facing waits) once the send is done.
   */
  private pullAhead(lane: Lane, window: TimeWindow, progress: WindowProgress, page: number): Promise<PulledPage | undefined> {
    return this.pullNext(lane, window, progress, page).catch((err: unknown) => {
      log.info('pulling ahead failed; pulling that page again after the send', { page, reason: (err as Error).message });
      return undefined;
    });
  }
}

/** A window as the UI shows it: `2026-11-24 10:00..10:05Z`. */
export function describeWindow(window: TimeWindow): string {
  const start = iso(window.startMs);
  const end = iso(window.endMs);
  const sameDay = start.slice(0, 10) === end.slice(0, 10);
  return `${start.slice(0, 10)} ${start.slice(11, 16)}..${sameDay ? end.slice(11, 16) : end.slice(0, 16).replace('T', ' ')}Z`;
}
