import { filterBounds, type TimeWindow } from '../time-windows/index.js';
import { MalformedResponseError } from './errors.js';
import { getApiJson } from './http.js';
import { checkNextLinkOrigin, resolveNextLink } from './next-link.js';
import type { PageRequest, TracePage } from './records.js';
import { sortRows } from './row-check.js';

const REPORT_PATH = '/ecp/reportingwebservice/reporting.svc/MessageTrace';

/**
 * The first-page URL. The service wants `eq` on both bounds with OData v2 `datetime'...'` literals, and
 * treats them as an inclusive range (docs/sources.md#rws-query); UTC with `Z`, 7 fractional digits.
 */
export function reportingFirstPageUrl(reportingUrl: string, window: TimeWindow, pageSize: number, upTo?: string): string {
  const { from, to: end } = filterBounds(window);
  const to = upTo ?? end;
  const filter = `StartDate eq datetime'${from}' and EndDate eq datetime'${to}'`;
  return `${reportingUrl}${REPORT_PATH}?$filter=${encodeURIComponent(filter)}&$top=${pageSize}`;
}

/**
 * Pulls one page from the Reporting Web Service. It asks for JSON light (`Accept: application/json`,
 * ISO dates) but accepts every shape the service is known to answer with (docs/sources.md#rws-json-shapes): JSON light
 * `value` + `odata.nextLink` (relative or absolute), and verbose `d.results` or a bare `d` array with
 * `/Date(ms)/` dates and `d.__next`.
 */
export async function pullReportingPage(request: PageRequest): Promise<TracePage> {
  // The link comes from the activity's input: checked here, every time, since the token goes with it.
  if (request.nextLink !== undefined) checkNextLinkOrigin(request.nextLink, request.baseUrl);
  const url = request.nextLink ?? reportingFirstPageUrl(request.baseUrl, request.window, request.pageSize, request.upTo);
  const { body, what } = await getApiJson(url, request.accessToken, request.signal);
  return readReportingPage(body, url, what);
}

/** A Reporting Web Service page from its parsed JSON body, in any of its shapes. */
export function readReportingPage(body: unknown, url: string, what: string): TracePage {
  const { rows, link } = unwrap(body, what);
  const { records, unparseable } = sortRows(rows, 'reporting');
  // __metadata is the OData envelope (the row's URL), not message trace data.
  const withoutEnvelope = records.map(({ __metadata: _envelope, ...record }) => record);
  return { records: withoutEnvelope, unparseable, nextLink: resolveNextLink(link, url, what) };
}

function unwrap(body: unknown, what: string): { rows: unknown[]; link: unknown } {
  const b = body as { value?: unknown; 'odata.nextLink'?: unknown; '@odata.nextLink'?: unknown; d?: unknown };
  if (Array.isArray(b?.value)) return { rows: b.value, link: b['odata.nextLink'] ?? b['@odata.nextLink'] };
  if (Array.isArray(b?.d)) return { rows: b.d, link: undefined };
  const d = b?.d as { results?: unknown; __next?: unknown } | undefined;
  if (Array.isArray(d?.results)) return { rows: d.results, link: d.__next };
  throw new MalformedResponseError(`${what}: 200 without value, d or d.results`);
}
