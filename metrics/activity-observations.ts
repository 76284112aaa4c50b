import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { recordCount, type PulledPage, type SendToDevoResult } from '../contracts/activity-io.js';
import { FailureType } from '../contracts/failure-types.js';
import { OUTCOME_OK, type SeriesKey } from './series.js';

/** One counter increment, with the labels the collector adds. */
export interface Observation {
  readonly series: SeriesKey;
  readonly value: number;
  readonly labels: Readonly<Record<string, string>>;
}

/** How one activity attempt ended: its result, or what it threw. */
export type ActivityOutcome = { readonly result: unknown } | { readonly error: unknown };

/** pullPage's result; `deadLettered` counts rows set aside as unparseable, where the worker reports it. */
type PulledPageResult = PulledPage & { readonly deadLettered?: number };

const KNOWN_FAILURE_TYPES = new Set<string>(Object.values(FailureType));

/**
 * What one activity attempt adds to the collector's counters. Every increment is labelled with the
 * tenant from the activity's input; zero increments are kept, so each series exists from the first
 * attempt on and `rate()` and alerts see it.
 */
export function observeActivity(activityType: string, input: unknown, outcome: ActivityOutcome): Observation[] {
  const tenant = { tenant_id: tenantOf(input) };
  const result = 'result' in outcome ? outcome.result : undefined;
  const label = 'result' in outcome ? OUTCOME_OK : outcomeOf(outcome.error);
  switch (activityType) {
    case 'fetchToken':
      return microsoftCall(tenant, label);
    case 'pullPage': {
      if (!result) return microsoftCall(tenant, label);
      // A chunk: one call per page, and one more that failed if a later page ended it early.
      const page = result as PulledPageResult;
      const ended = page.endedBy ? microsoftCall(tenant, knownFailureType(page.endedBy) ?? 'Other') : [];
      return [...microsoftCall(tenant, label, page.pages ?? 1), ...ended, ...pulled(tenant, page)];
    }
    case 'sendToDevo':
      return [{ series: 'devoSends', value: 1, labels: { ...tenant, outcome: label } }, ...(result ? sent(tenant, result as SendToDevoResult) : [])];
    default:
      return [];
  }
}

function microsoftCall(tenant: { tenant_id: string }, outcome: string, calls = 1): Observation[] {
  return [
    { series: 'microsoftCalls', value: calls, labels: { ...tenant, outcome } },
    { series: 'microsoftThrottled', value: outcome === FailureType.Throttled ? calls : 0, labels: tenant },
  ];
}

function pulled(tenant: { tenant_id: string }, page: PulledPageResult): Observation[] {
  const observations: Observation[] = [
    { series: 'pagesPulled', value: page.pages ?? 1, labels: tenant },
    { series: 'recordsPulled', value: recordCount(page), labels: tenant },
  ];
  if (typeof page.deadLettered === 'number') {
    // deadLettered counts every reason; the pull names how many were oversize or outside the window.
    const oversize = page.oversize ?? 0;
    const outside = page.outsideWindow ?? 0;
    observations.push({ series: 'deadLetters', value: page.deadLettered - oversize - outside, labels: { ...tenant, reason: 'unparseable' } });
    if (oversize > 0) observations.push({ series: 'deadLetters', value: oversize, labels: { ...tenant, reason: 'oversize' } });
    if (outside > 0) observations.push({ series: 'deadLetters', value: outside, labels: { ...tenant, reason: 'outside-window' } });
  }
  return observations;
}

function sent(tenant: { tenant_id: string }, result: SendToDevoResult): Observation[] {
  return [
    { series: 'recordsDelivered', value: result.delivered, labels: tenant },
    { series: 'recordsResent', value: result.resent, labels: tenant },
    { series: 'deadLetters', value: result.oversize, labels: { ...tenant, reason: 'oversize' } },
  ];
}

function tenantOf(input: unknown): string {
  const tenantId = (input as { tenantId?: unknown } | undefined)?.tenantId;
  return typeof tenantId === 'string' ? tenantId : 'unknown';
}

/** The failure type for the outcome label; anything else collapses to a few values, to keep cardinality bounded. */
function outcomeOf(error: unknown): string {
  const known = error instanceof ApplicationFailure ? knownFailureType(error.type) : undefined;
  if (known) return known;
  if (error instanceof CancelledFailure) return 'Cancelled';
  return 'Other';
}

/** The type when it is one of the collector's failure types, else undefined. */
function knownFailureType(type: string | null | undefined): string | undefined {
  return type && KNOWN_FAILURE_TYPES.has(type) ? type : undefined;
}
