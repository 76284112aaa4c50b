import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CollectorActivities } from '../activities/index.js';
import type { PulledPage } from '../activities/types.js';
import { iso, msUntilDue, nextWindow, type TimeWindow } from '../time-windows/index.js';
import { FailureType, OPERATOR_HINTS } from './failure-types.js';
import { pauseSignal, resumeSignal, statusQuery } from './messages.js';
import { describeStatus, initialState, type CollectorInput, type CollectorPhase, type CollectorState, type WindowProgress } from './state.js';

const { fetchToken } = proxyActivities<CollectorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

const { pullPage } = proxyActivities<CollectorActivities>({
  // Microsoft takes 2-4 s for a 5,000-row page (reference §2.3); two minutes covers a slow day.
  startToCloseTimeout: '2 minutes',
  // About six minutes of backoff, then the workflow records the error in status and keeps trying.
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

const { sendToDevo } = proxyActivities<CollectorActivities>({
  startToCloseTimeout: '10 minutes',
  // Each confirmed batch heartbeats; a silent minute means the attempt is stuck and is retried from there.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Refresh the token when it expires within this margin. */
const TOKEN_MARGIN_MS = 5 * 60_000;

/**
 * One long-lived collector per tenant. Loop: next window [cursor, cursor + window] once it ends before
 * now - lag → pull every page following the API's next link → send each page to Devo and wait for its
 * confirmation → advance the cursor. The history is the checkpoint: a window is repeated only from the
 * page that was not yet confirmed.
 */
export async function messageTraceCollector(input: CollectorInput): Promise<void> {
  const { settings } = input;
  const state: CollectorState = input.state ?? initialState(input.start, Date.now());
  let phase: CollectorPhase = 'running';
  let wakeups = 0;

  setHandler(statusQuery, () => describeStatus(settings, state, phase, Date.now()));
  setHandler(pauseSignal, (pause) => {
    state.paused ??= { since: iso(Date.now()), reason: pause?.reason };
  });
  setHandler(resumeSignal, () => {
    state.paused = undefined;
    wakeups++;
  });

  /** Waits for `ms`, or less when a signal arrives; returns at once on resume. */
  const waitFor = async (ms: number, next: CollectorPhase) => {
    phase = next;
    const seen = wakeups;
    await condition(() => wakeups !== seen || (next !== 'paused' && state.paused !== undefined), ms);
    phase = 'running';
  };

  const untilPaused = async () => {
    while (state.paused) await waitFor(24 * 3_600_000, 'paused');
  };

  /** Runs a step until it succeeds; operator failures and exhausted retries wait, then retry the same step. */
  const untilDone = async <T>(step: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        const result = await step();
        state.lastError = undefined;
        return result;
      } catch (err) {
        const failure = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
        if (!failure?.type) throw err;
        const hint = OPERATOR_HINTS[failure.type as keyof typeof OPERATOR_HINTS];
        state.lastError = { type: failure.type, message: failure.message, hint, at: iso(Date.now()) };
        log.warn('step failed; retrying later', { type: failure.type, needsOperator: hint !== undefined });
        await waitFor(hint ? (settings.blockedRetryMs ?? 5 * 60_000) : (settings.errorRetryMs ?? 60_000), hint ? 'blocked' : 'running');
        await untilPaused();
      }
    }
  };

  const ensureToken = async (): Promise<string> => {
    if (!state.token || state.token.expiresAtMs - Date.now() < TOKEN_MARGIN_MS) {
      state.token = await fetchToken({ tenantId: settings.tenantId, source: settings.source });
      state.totals.tokenFetches++;
    }
    return state.token.accessToken;
  };

  /** Pulls a page; a refused token is replaced once, then the refusal counts as an operator failure. */
  const pullWithFreshToken = async (window: TimeWindow, nextLink: string | undefined, page: number): Promise<PulledPage> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const accessToken = await ensureToken();
        state.totals.apiCalls++;
        return await pullPage({ tenantId: settings.tenantId, source: settings.source, window, pageSize: settings.pageSize, accessToken, nextLink, page });
      } catch (err) {
        const tokenRefused = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === FailureType.TokenRejected;
        if (!tokenRefused || attempt >= 2) throw err;
        log.info('token refused mid-window; fetching a fresh one', { page });
        state.token = undefined;
      }
    }
  };

  const collectWindow = async (window: TimeWindow) => {
    if (state.inProgress?.window.startMs !== window.startMs) state.inProgress = { window, pagesDone: 0 };
    for (;;) {
      const progress: WindowProgress = state.inProgress!;
      const { pagesDone, nextLink } = progress;
      const page: number = pagesDone + 1;
      const pulled: PulledPage = await untilDone(() => pullWithFreshToken(window, nextLink, page));
      // A failed send never costs an API call: the page stays in hand (and in history) until confirmed.
      const sent = await untilDone(() => sendToDevo({ tenantId: settings.tenantId, records: pulled.records, window, page }));
      state.totals.records += sent.delivered;
      state.totals.pages++;
      state.totals.resent += sent.resent;
      state.totals.oversize += sent.oversize;
      if (!pulled.nextLink) break;
      state.inProgress = { window, pagesDone: page, nextLink: pulled.nextLink };
      await untilPaused();
    }
    state.inProgress = undefined;
    state.cursor = iso(window.endMs);
    state.totals.windows++;
    log.info('window delivered', { start: iso(window.startMs), end: iso(window.endMs), records: state.totals.records });
  };

  let windowsThisRun = 0;
  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested ||
    (settings.testContinueAsNewEveryWindows !== undefined && windowsThisRun >= settings.testContinueAsNewEveryWindows);

  while (!shouldContinueAsNew()) {
    await untilPaused();
    const cursorMs = Date.parse(state.cursor);
    const window = state.inProgress?.window ?? nextWindow(cursorMs, Date.now(), settings);
    if (!window) {
      await waitFor(msUntilDue(cursorMs, Date.now(), settings), 'waiting');
      continue;
    }
    await collectWindow(window);
    windowsThisRun++;
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof messageTraceCollector>({ settings, start: input.start, state });
}
