import { ActivityFailure, ApplicationFailure, log, patched } from '@temporalio/workflow';
import { chunkPages, recordCount, sendInputOf, type PulledPage, type SendToDevoResult } from '../contracts/activity-io.js';
import { FailureType } from '../contracts/failure-types.js';
import type { ResumePoint } from '../microsoft/resume-point.js';
import { iso, type TimeWindow } from '../time-windows/index.js';
import { fetchToken, pullPage, sendToDevo } from './activity-stubs.js';
import type { BudgetLedger, Lane } from './budget-ledger.js';
import { PAGE_CHUNKS_PATCH, PIPELINE_PATCH, REPULL_LOST_CHUNK } from './patches.js';
import type { CollectorSettings, RunProgress, RunState, WindowProgress } from './state.js';

/** Refresh the token when it expires within this margin. */
const TOKEN_MARGIN_MS = 5 * 60_000;
/**
 * At most this many pages per pullPage; the activity stops sooner when the packed chunk grows large
 * (MAX_CHUNK_BYTES), so big pages or records make chunks of one page.
 */
export const MAX_PAGES_PER_PULL = 4;

/** What the pipeline needs of the collector that owns it. */
export interface PipelineOwner {
  readonly state: RunState;
  /** Read afresh at every step: the settings update replaces them. */
  readonly settings: CollectorSettings;
  readonly ledger: BudgetLedger;
  /** Runs a step until it succeeds, waiting (and showing the error) between attempts. */
  untilDone<T>(step: () => Promise<T>): Promise<T>;
  /** As untilDone, but gives up (undefined) at once on a failure whose type `stop` accepts. */
  untilDoneOr<T>(step: () => Promise<T>, stop: (type: string) => boolean): Promise<T | undefined>;
  untilResumed(): Promise<void>;
}

/** A window's progress after a pulled chunk, or undefined when the chunk finished the window. */
type ProgressAfter = Omit<WindowProgress, 'records'> | undefined;

/**
 * One window's pages, from pull to confirmed send: next link after next link, the next chunk pulled while
 * one is sent, the progress (hence the cursor) moved only past confirmed pages.
 */
export class WindowPipeline {
  constructor(private readonly owner: PipelineOwner) {}

  /**
   * Pulls and delivers the window's pages from where its lane left off. Returns true when the window is
   * complete, false when `interrupt` asked to yield between pages (backfill gives way to live windows; any
   * window stops when the server suggests continue-as-new).
   *
   * Pipelined: while one pull's pages (a chunk) are sent, the next chunk is pulled. Sends stay in page
   * order and the progress still moves only past confirmed pages; a chunk pulled ahead lives only in this
   * run's history, so nothing pulled ahead is left behind when yielding: an interrupt first sends it.
   */
  async collect(lane: Lane, window: TimeWindow, interrupt: () => boolean = () => false): Promise<boolean> {
    const { state } = this.owner;
    if (this.progressOf(lane)?.window.startMs !== window.startMs) this.setProgress(lane, { window, pagesDone: 0, records: 0 });
    let pulledAhead: Promise<PulledPage | undefined> | undefined;
    for (;;) {
      const progress = this.progressOf(lane)!;
      const { pagesDone, records } = progress;
      const page = pagesDone + 1;
      let pulled: PulledPage = (await pulledAhead) ?? (await this.owner.untilDone(() => this.pullNext(lane, window, progress, page)));
      pulledAhead = undefined;
      let lastPage: number;
      let after: ProgressAfter;
      let sent: SendToDevoResult | undefined;
      for (;;) {
        lastPage = page + chunkPages(pulled) - 1;
        after = progressAfter(window, pulled, lastPage);
        // Replaying a history from before pipelining keeps its one-page-at-a-time order (patched() is false there).
        if (!pulledAhead && after && !interrupt() && !state.paused && patched(PIPELINE_PATCH)) pulledAhead = this.pullAhead(lane, window, after, lastPage + 1);
        // A failed send never costs an API call: the page stays in hand (and in history) until confirmed.
        sent = await this.send(window, pulled, page, lastPage);
        if (sent) break;
        // The chunk is lost (no worker holds it, history does not give it back): sending again cannot help,
        // so it is pulled again from the saved progress. A chunk pulled ahead stays if it follows on.
        log.warn('the pulled chunk is lost; pulling it again', { window: describeWindow(window), page });
        pulled = await this.owner.untilDone(() => this.pullNext(lane, window, progress, page));
        if (!sameProgress(after, progressAfter(window, pulled, page + chunkPages(pulled) - 1))) pulledAhead = undefined;
      }
      const totals = state.totals;
      totals.records += sent.delivered;
      totals.pages += lastPage - page + 1;
      totals.resent += sent.resent;
      totals.oversize += sent.oversize;
      if (pulled.deadLettered) totals.deadLettered += pulled.deadLettered;
      if (!after) {
        this.setProgress(lane, undefined);
        log.info(lane === 'live' ? 'window done' : 'backfill chunk done', { window: describeWindow(window), pages: lastPage, records: records + sent.delivered });
        return true;
      }
      this.setProgress(lane, { ...after, records: records + sent.delivered });
      await this.owner.untilResumed();
      if (!pulledAhead && interrupt()) return false;
    }
  }

  /**
   * Sends a pulled chunk, confirmed; undefined when the chunk is lost (PulledChunkMissing), for the caller
   * to pull it again. Histories from before that rule retried the same send (patched() is false there).
   */
  private send(window: TimeWindow, pulled: PulledPage, page: number, lastPage: number): Promise<SendToDevoResult | undefined> {
    const pages = lastPage > page ? `pages ${page}-${lastPage}` : `page ${page}`;
    const summary = `send ${recordCount(pulled)} records of ${describeWindow(window)} ${pages}`;
    const content = sendInputOf(pulled);
    const send = () => sendToDevo.executeWithOptions({ summary }, [{ tenantId: this.owner.settings.tenantId, ...content, window, page }]);
    return this.owner.untilDoneOr(send, (type) => type === FailureType.PulledChunkMissing && patched(REPULL_LOST_CHUNK));
  }

  /**
   * Pulls the next page while the current one is sent. Speculative: if it fails, the page is pulled again
   * in the ordinary way (with the operator-facing waits) once the send is done.
   */
  private pullAhead(lane: Lane, window: TimeWindow, progress: Omit<WindowProgress, 'records'>, page: number): Promise<PulledPage | undefined> {
    return this.pullNext(lane, window, progress, page).catch((err: unknown) => {
      log.info('pulling ahead failed; pulling that page again after the send', { page, reason: (err as Error).message });
      return undefined;
    });
  }

  /**
   * Pulls the next page of a window. When Microsoft refuses its own next link (400: the double-encoded
   * skiptoken, docs/sources.md#double-encoded-skiptoken), the rest of the window is queried afresh from the last row
   * delivered, instead of retrying a link that will never work.
   */
  private async pullNext(lane: Lane, window: TimeWindow, progress: Omit<WindowProgress, 'records'>, page: number): Promise<PulledPage> {
    const queryTheRest = (resumePoint: ResumePoint) => {
      log.warn('Microsoft refused its own next link; querying the rest of the window afresh', { page, window: describeWindow(window) });
      this.owner.state.totals.recoveredLinks++;
      return this.pull(lane, window, undefined, page, resumePoint);
    };
    if (progress.nextLinkRefused && progress.resumePoint) return queryTheRest(progress.resumePoint);
    try {
      return await this.pull(lane, window, progress.nextLink, page, undefined);
    } catch (err) {
      if (failureType(err) !== FailureType.RequestRejected || !progress.nextLink || !progress.resumePoint) throw err;
      return queryTheRest(progress.resumePoint);
    }
  }

  /** Pulls a page (or a chunk); a refused token is replaced once, then the refusal counts as an operator failure. */
  private async pull(lane: Lane, window: TimeWindow, nextLink: string | undefined, page: number, resumeAfter: ResumePoint | undefined): Promise<PulledPage> {
    const { settings, ledger } = this.owner;
    // Histories from before chunks keep one call per pull, as their timers were set by.
    const wanted = patched(PAGE_CHUNKS_PATCH) ? MAX_PAGES_PER_PULL : 1;
    for (let attempt = 1; ; attempt++) {
      let booked = 0;
      try {
        const accessToken = await this.accessToken();
        booked = await ledger.book(lane, wanted);
        const input = { tenantId: settings.tenantId, source: settings.source, window, pageSize: settings.pageSize, accessToken, nextLink, page, resumeAfter, ...(booked > 1 && { maxPages: booked }) };
        const pulled = await pullPage.executeWithOptions({ summary: `pull ${describeWindow(window)} page ${page}` }, [input]);
        // The calls made: its pages, and the later page that failed, if one ended the chunk early.
        ledger.refund(booked - chunkPages(pulled) - (pulled.endedBy ? 1 : 0));
        return pulled;
      } catch (err) {
        // A failed pull failed on its first page: later pages end a chunk early instead of failing it.
        ledger.refund(booked - 1);
        if (failureType(err) !== FailureType.TokenRejected || attempt >= 2) throw err;
        log.info('token refused mid-window; fetching a fresh one', { page });
        this.owner.state.token = undefined;
      }
    }
  }

  private async accessToken(): Promise<string> {
    const { state, settings } = this.owner;
    if (!state.token || state.token.expiresAtMs - Date.now() < TOKEN_MARGIN_MS) {
      const fetched = await fetchToken({ tenantId: settings.tenantId, source: settings.source });
      state.token = { accessToken: fetched.accessToken, expiresAtMs: fetched.expiresAtMs };
      // The credential's public facts (kind, setting, certificate end) for status; workers before this send none.
      if (fetched.credential) state.credential = fetched.credential;
      state.totals.tokenFetches++;
    }
    return state.token.accessToken;
  }

  private progressOf(lane: Lane): RunProgress | undefined {
    const { state } = this.owner;
    return lane === 'live' ? state.inProgress : state.backfill?.inProgress;
  }

  private setProgress(lane: Lane, progress: RunProgress | undefined): void {
    const { state } = this.owner;
    if (lane === 'live') state.inProgress = progress;
    else if (state.backfill) state.backfill.inProgress = progress;
  }
}

/** Where the window goes on after a chunk whose last page is `lastPage`; undefined when the chunk ended it. */
function progressAfter(window: TimeWindow, pulled: PulledPage, lastPage: number): ProgressAfter {
  if (!pulled.nextLink && !pulled.cutShort) return undefined;
  // A later page of the chunk refused with 400 is Microsoft refusing its own next link: never asked for again.
  // A page cut to fit the pull's byte limit goes on the same way, from its last row kept (absent in older histories).
  const nextLinkRefused = pulled.endedBy === FailureType.RequestRejected || pulled.cutShort === true;
  return { window, pagesDone: lastPage, nextLink: pulled.nextLink, resumePoint: pulled.resumePoint, ...(nextLinkRefused && { nextLinkRefused }) };
}

function sameProgress(a: ProgressAfter, b: ProgressAfter): boolean {
  if (!a || !b) return a === b;
  return a.pagesDone === b.pagesDone && a.nextLink === b.nextLink && a.nextLinkRefused === b.nextLinkRefused && a.resumePoint?.received === b.resumePoint?.received && a.resumePoint?.recipient === b.resumePoint?.recipient;
}

/** The failure type of an activity's failure, when it has one. */
export function failureType(err: unknown): string | undefined {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? (err.cause.type ?? undefined) : undefined;
}

/** A window as the UI shows it: `2026-11-24 10:00..10:05Z`. */
export function describeWindow(window: TimeWindow): string {
  const start = iso(window.startMs);
  const end = iso(window.endMs);
  const sameDay = start.slice(0, 10) === end.slice(0, 10);
  return `${start.slice(0, 10)} ${start.slice(11, 16)}..${sameDay ? end.slice(11, 16) : end.slice(0, 16).replace('T', ' ')}Z`;
}
