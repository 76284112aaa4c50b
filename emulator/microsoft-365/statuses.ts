/**
 * Delivery statuses, stored as small codes. Graph spells them camelCase (`delivered`, `filteredAsSpam`),
 * the Reporting Web Service PascalCase (`Delivered`, `FilteredAsSpam`) (docs/sources.md#graph-fields). `None` and
 * `recalled` are never generated: how Graph shows rejected recipients is an open question (§6 item 8).
 */
export const Status = {
  GettingStatus: 0,
  Delivered: 1,
  Failed: 2,
  Pending: 3,
  Quarantined: 4,
  FilteredAsSpam: 5,
  Expanded: 6,
} as const;

/** One of the {@link Status} codes. */
export type StatusCode = (typeof Status)[keyof typeof Status];

/** Graph's enum member names, indexed by code. */
export const GRAPH_STATUS: readonly string[] = ['gettingStatus', 'delivered', 'failed', 'pending', 'quarantined', 'filteredAsSpam', 'expanded'];
/** The Reporting Web Service's names, indexed by code. */
export const REPORTING_STATUS: readonly string[] = ['GettingStatus', 'Delivered', 'Failed', 'Pending', 'Quarantined', 'FilteredAsSpam', 'Expanded'];

/** The code for a status name in either spelling (Graph compares enum values case-insensitively). */
export function statusCode(name: string): StatusCode | undefined {
  const i = GRAPH_STATUS.findIndex((s) => s.toLowerCase() === name.toLowerCase());
  return i < 0 ? undefined : (i as StatusCode);
}
