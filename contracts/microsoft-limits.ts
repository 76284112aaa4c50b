/**
 * What Microsoft's message trace APIs accept, in one place: every check of a page size, a window or a
 * start against the source reads these (docs/sources.md#graph-query, #rws-retention).
 */

/** The two APIs a collector can pull from: Graph messageTraces, or the Reporting Web Service. */
export type SourceName = 'graph' | 'reporting';

/** Records per page each source accepts (Graph `$top`, the Reporting Web Service's page size). */
export const PAGE_SIZE_RANGE: Readonly<Record<SourceName, { readonly min: number; readonly max: number }>> = {
  graph: { min: 1, max: 5000 },
  reporting: { min: 1, max: 2000 },
};

/** The largest page any source serves. */
export const MAX_PAGE_SIZE = Math.max(...Object.values(PAGE_SIZE_RANGE).map((range) => range.max));

const DAY_MS = 86_400_000;

/** The longest span Microsoft accepts in one query (Graph and Get-MessageTraceV2: 10 days); a window is one query. */
export const MAX_QUERY_SPAN_MS = 10 * DAY_MS;

/** How many days back each source serves data (docs/sources.md#rws-retention, #graph-query). */
export const RETENTION_DAYS: Readonly<Record<SourceName, number>> = { graph: 90, reporting: 10 };
