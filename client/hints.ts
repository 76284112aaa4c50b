import type { LastError } from '../workflows/state.js';

type Source = 'graph' | 'reporting';

/**
 * The operator hints that differ by source, so an operator is told only about the API the collector
 * reads: a Graph tenant is not sent to ReportingWebService.Read.All, nor a Reporting one to Graph.
 */
const BY_SOURCE: Record<string, Record<Source, string>> = {
  PermissionMissing: {
    graph: 'grant the app the Microsoft Graph application permission ExchangeMessageTrace.Read.All with admin consent',
    reporting: 'grant the app ReportingWebService.Read.All (Office 365 Exchange Online) with admin consent, plus the Global Reader or Security Reader role',
  },
  RequestRejected: {
    graph: 'Microsoft refused the query; check O365_START against the Graph retention (90 days) and the window settings',
    reporting: 'Microsoft refused the query; check O365_START against the Reporting Web Service retention (10 days) and the window settings',
  },
};

/** The hint to show for `error` on a collector reading `source`, or undefined when the error needs none. */
export function hintFor(error: LastError | undefined, source: Source): string | undefined {
  if (!error?.hint) return undefined;
  return BY_SOURCE[error.type]?.[source] ?? error.hint;
}
