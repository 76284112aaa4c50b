import type { GraphFilter } from './graph-filter.js';
import type { ReportingEqProperty } from './reporting-filter.js';
import { statusCode } from './statuses.js';
import type { TraceDataset } from './trace-dataset.js';

/** Whether row `i` matches a query's non-time terms at `nowMs` (status depends on the time). */
export type RowPredicate = (i: number, nowMs: number) => boolean;

/** Exchange compares addresses case-insensitively; `*@contoso.com` matches a whole domain (docs/sources.md#graph-query). */
function addressMatcher(wanted: string): (address: string) => boolean {
  const lower = wanted.toLowerCase();
  if (lower.startsWith('*@')) return (a) => a.endsWith(lower.slice(1));
  return (a) => a === lower;
}

function statusMatcher(ds: TraceDataset, wanted: string): RowPredicate {
  const code = statusCode(wanted);
  return code === undefined ? () => false : (i, now) => ds.status(i, now) === code;
}

function combine(checks: RowPredicate[]): RowPredicate | undefined {
  if (checks.length === 0) return undefined;
  return (i, now) => checks.every((check) => check(i, now));
}

/** The predicate for a Graph filter's `eq` and subject terms; undefined when every row matches. */
export function graphPredicate(ds: TraceDataset, filter: GraphFilter): RowPredicate | undefined {
  const checks: RowPredicate[] = [];
  for (const [property, value] of filter.equals) {
    const lower = value.toLowerCase();
    switch (property) {
      case 'id': checks.push((i) => ds.message(i).id === lower); break;
      case 'messageId': checks.push((i) => ds.message(i).messageId.toLowerCase() === lower); break;
      case 'senderAddress': { const m = addressMatcher(value); checks.push((i) => m(ds.message(i).senderAddress)); break; }
      case 'recipientAddress': { const m = addressMatcher(value); checks.push((i) => m(ds.recipient(i))); break; }
      case 'status': checks.push(statusMatcher(ds, value)); break;
      case 'fromIP': checks.push((i) => ds.message(i).fromIP === value); break;
      case 'toIP': checks.push((i) => ds.toIP(i) === value); break;
      case 'subject': checks.push((i) => ds.message(i).subject.toLowerCase() === lower); break;
    }
  }
  if (filter.subject) {
    const { op, text } = filter.subject;
    const lower = text.toLowerCase();
    const test = op === 'contains' ? (s: string) => s.includes(lower) : op === 'startswith' ? (s: string) => s.startsWith(lower) : (s: string) => s.endsWith(lower);
    checks.push((i) => test(ds.message(i).subject.toLowerCase()));
  }
  return combine(checks);
}

/** The predicate for a Reporting Web Service filter's `eq` terms other than the dates. */
export function reportingPredicate(ds: TraceDataset, equals: ReadonlyMap<ReportingEqProperty, string>): RowPredicate | undefined {
  const checks: RowPredicate[] = [];
  for (const [property, value] of equals) {
    const lower = value.toLowerCase();
    switch (property) {
      case 'SenderAddress': { const m = addressMatcher(value); checks.push((i) => m(ds.message(i).senderAddress)); break; }
      case 'RecipientAddress': { const m = addressMatcher(value); checks.push((i) => m(ds.recipient(i))); break; }
      case 'Status': checks.push(statusMatcher(ds, value)); break;
      case 'MessageTraceId': checks.push((i) => ds.message(i).id === lower); break;
      case 'MessageId': checks.push((i) => ds.message(i).messageId.toLowerCase() === lower); break;
      case 'Subject': checks.push((i) => ds.message(i).subject.toLowerCase() === lower); break;
      case 'FromIP': checks.push((i) => ds.message(i).fromIP === value); break;
      case 'ToIP': checks.push((i) => ds.toIP(i) === value); break;
      case 'Organization': checks.push(() => ds.organization === lower); break;
    }
  }
  return combine(checks);
}

/** A run of matching rows from a scan, and whether any more match after it. */
export interface ScanResult {
  readonly rows: number[];
  readonly more: boolean;
}

/**
 * Collects up to `take` visible, matching rows in [from, to) after skipping `skip` of them. Rows not yet
 * visible at `nowMs` are absent, as late rows are from the real service (docs/sources.md#late-rows). The scan
 * is bounded by the window, which the caller found by binary search.
 */
export function scanRows(ds: TraceDataset, from: number, to: number, nowMs: number, predicate: RowPredicate | undefined, skip: number, take: number): ScanResult {
  const rows: number[] = [];
  let skipped = 0;
  for (let i = from; i < to; i++) {
    if (!ds.isVisible(i, nowMs) || (predicate && !predicate(i, nowMs))) continue;
    if (skipped < skip) {
      skipped++;
      continue;
    }
    if (rows.length === take) return { rows, more: true };
    rows.push(i);
  }
  return { rows, more: false };
}
