import { expiryOf } from '../contracts/credential-expiry.js';
import type { ResumePoint } from '../microsoft/resume-point.js';
import { DEFAULT_BUDGET, iso, isCaughtUp, pendingMs, recentCalls, type ApiBudget, type PendingRange, type TimeWindow } from '../time-windows/index.js';

/**
 * The collector's state: plain JSON only (numbers, ISO strings, arrays, plain objects), because it is
 * carried across continue-as-new and shown in the UI.
 */

/** Non-secret settings, fit to show in the UI. Secrets stay in the workers' configuration. */
export interface CollectorSettings {
  readonly tenantId: string;
  readonly source: 'graph' | 'reporting';
  readonly windowMs: number;
  readonly lagMs: number;
  readonly pageSize: number;
  /** How long to wait before retrying a step that needs an operator @default 5 minutes */
  readonly blockedRetryMs?: number;
  /** How long to wait after a step exhausted its activity retries @default 1 minute */
  readonly errorRetryMs?: number;
  /** The tenant's Microsoft API budget @default 90 requests per 5 minutes, 10 kept for the live tail */
  readonly budget?: ApiBudget;
  /** Safety margin inside the source's retention when validating backfills @default 1 hour */
  readonly retentionMarginMs?: number;
  /** Upsert the O365* search attributes (only when the namespace has them registered) @default false */
  readonly searchAttributes?: boolean;
  /** Test-only: continue-as-new after this many windows instead of waiting for the server's suggestion. */
  readonly testContinueAsNewEveryWindows?: number;
}

/** Settings with every optional value filled in: what a collector started before a setting existed runs with. */
export type EffectiveSettings = CollectorSettings & Required<Pick<CollectorSettings, 'blockedRetryMs' | 'errorRetryMs' | 'budget' | 'retentionMarginMs'>>;

/** The one place the optional settings' defaults live (as documented on CollectorSettings). */
export function withDefaults(settings: CollectorSettings): EffectiveSettings {
  return {
    ...settings,
    blockedRetryMs: settings.blockedRetryMs ?? 5 * 60_000,
    errorRetryMs: settings.errorRetryMs ?? 60_000,
    budget: settings.budget ?? DEFAULT_BUDGET,
    retentionMarginMs: settings.retentionMarginMs ?? 3_600_000,
  };
}

/** The error shown in status until the step succeeds. */
export interface LastError {
  readonly type: string;
  readonly message: string;
  /** What the operator must change, for failures that need one. */
  readonly hint?: string;
  readonly at: string;
}

/** The app credential behind the last token (from fetchToken's result; nothing secret). */
export interface CredentialState {
  /** `secret`, `certificate` or `federated`. */
  readonly kind: string;
  /** Where it is configured, e.g. O365_CLIENT_CERTIFICATE_FILE, or a tenant's clientCertificateFile. */
  readonly setting: string;
  /** When the certificate stops being valid (ISO); absent for secrets and federated tokens. */
  readonly expiresAt?: string;
}

/** Counters since the collector was first started. */
export interface Totals {
  records: number;
  pages: number;
  windows: number;
  apiCalls: number;
  tokenFetches: number;
  resent: number;
  oversize: number;
  /** Rows Microsoft sent that could not be read as records: written to the dead-letter file, with their window. */
  deadLettered?: number;
  /** Next links Microsoft refused, after which the window was finished with a fresh query. */
  recoveredLinks?: number;
}

/** Where the collector is inside a window: the page after which it resumes. */
export interface WindowProgress {
  readonly window: TimeWindow;
  /** Pages already pulled and confirmed by Devo. */
  readonly pagesDone: number;
  readonly nextLink?: string;
  /** Records delivered from this window so far. */
  readonly records?: number;
  /** The last row delivered, to finish the window with a fresh query if Microsoft refuses the next link. */
  readonly resumePoint?: ResumePoint;
  /** Microsoft already refused `nextLink` (it ended a chunk): the window goes on from `resumePoint` instead. */
  readonly nextLinkRefused?: boolean;
}

/** Backfill work: what is still to pull, how much was delivered, and the chunk in hand. */
export interface BackfillState {
  pending: PendingRange[];
  deliveredMs: number;
  inProgress?: WindowProgress;
}

/**
 * Everything carried from one run to the next, as any version of the collector wrote it: fields added
 * since are optional here. A run reads it once, through upgradeState (workflows/upgrade-state.ts).
 */
export interface CollectorState {
  /** End of the last fully delivered window (ISO). */
  cursor: string;
  totals: Totals;
  token?: { accessToken: string; expiresAtMs: number };
  inProgress?: WindowProgress;
  backfill?: BackfillState;
  /** Times of the Microsoft calls inside the budget window (at most the budget's size). */
  recentCalls?: number[];
  lastError?: LastError;
  paused?: { since: string; reason?: string };
  startedAt: string;
  /** The credential of the last token fetched; absent before the first one (and in older states). */
  credential?: CredentialState;
}

/** A window's progress inside a run: the records delivered so far are always counted. */
export type RunProgress = WindowProgress & { readonly records: number };

/** The state a run works on: every field this version keeps is present (upgradeState fills older states in). */
export type RunState = Omit<CollectorState, 'totals' | 'recentCalls' | 'inProgress' | 'backfill'> & {
  totals: Required<Totals>;
  recentCalls: number[];
  inProgress?: RunProgress;
  backfill?: Omit<BackfillState, 'inProgress'> & { inProgress?: RunProgress };
};

/** Input of messageTraceCollector: settings plus, on a fresh start, where to start. */
export interface CollectorInput {
  readonly settings: CollectorSettings;
  /** Where a fresh collector starts (ISO), already clamped to the source's retention. */
  readonly start: string;
  /** The state carried over by continue-as-new; absent on a fresh start. */
  readonly state?: CollectorState;
}

export type CollectorPhase = 'running' | 'waiting' | 'paused' | 'blocked';

/** What the status query answers. Never contains the token or a record. */
export interface CollectorStatus {
  readonly tenantId: string;
  readonly source: 'graph' | 'reporting';
  readonly phase: CollectorPhase;
  readonly cursor: string;
  readonly lagMs: number;
  readonly caughtUp: boolean;
  /** The settings in effect (they change with the settings update). */
  readonly settings: { readonly windowMs: number; readonly lagMs: number; readonly pageSize: number };
  readonly currentWindow?: { start: string; end: string; page: number };
  /** Pending backfill ranges and overall progress (0..1); absent when none was ever requested. */
  readonly backfill?: { pending: PendingRange[]; progress: number; currentChunk?: { start: string; end: string; page: number } };
  readonly totals: Totals;
  /** Microsoft calls in the current budget window, and the budget. */
  readonly budget: { used: number; limit: number; windowMs: number; liveReserve: number };
  readonly lastError?: LastError;
  readonly paused?: { since: string; reason?: string };
  readonly tokenExpiresAt?: string;
  /** The app credential, with days left and a warning from 30 days before a certificate expires. */
  readonly credential?: CredentialState & { readonly daysLeft?: number; readonly warning?: string };
  readonly startedAt: string;
}

/** The credential as status shows it: days left (rounded down) and, from 30 days out, what to renew. */
export function describeCredential(credential: CredentialState | undefined, nowMs: number): CollectorStatus['credential'] {
  if (!credential?.expiresAt) return credential && { ...credential };
  const { daysLeft, when } = expiryOf(credential.expiresAt, nowMs);
  if (!when) return { ...credential, daysLeft };
  const warning = `the client certificate of ${credential.setting} ${when}: create a new one, upload its public part to the app registration (Certificates & secrets > Certificates) and point ${credential.setting} at the new PEM`;
  return { ...credential, daysLeft, warning };
}

export function describeStatus(settings: CollectorSettings, state: RunState, phase: CollectorPhase, nowMs: number): CollectorStatus {
  const cursorMs = Date.parse(state.cursor);
  const progress = state.inProgress;
  return {
    tenantId: settings.tenantId,
    source: settings.source,
    phase,
    cursor: state.cursor,
    lagMs: nowMs - cursorMs,
    caughtUp: isCaughtUp(cursorMs, nowMs, settings),
    settings: { windowMs: settings.windowMs, lagMs: settings.lagMs, pageSize: settings.pageSize },
    currentWindow: windowInHand(progress),
    backfill: state.backfill && {
      pending: [...state.backfill.pending],
      progress: progress01(state.backfill.deliveredMs, pendingMs(state.backfill.pending)),
      currentChunk: windowInHand(state.backfill.inProgress),
    },
    totals: { ...state.totals },
    budget: budgetUse(withDefaults(settings).budget, state.recentCalls, nowMs),
    lastError: state.lastError,
    paused: state.paused,
    tokenExpiresAt: state.token && iso(state.token.expiresAtMs),
    credential: describeCredential(state.credential, nowMs),
    startedAt: state.startedAt,
  };
}

function windowInHand(progress: WindowProgress | undefined) {
  return progress && { start: iso(progress.window.startMs), end: iso(progress.window.endMs), page: progress.pagesDone + 1 };
}

function progress01(done: number, pending: number): number {
  return done + pending === 0 ? 1 : done / (done + pending);
}

function budgetUse(budget: ApiBudget, calls: number[], nowMs: number) {
  return { used: recentCalls(calls, nowMs, budget).length, limit: budget.requests, windowMs: budget.windowMs, liveReserve: budget.liveReserve };
}
