import { filterBounds, type TimeWindow } from '../time-windows/index.js';
import { MalformedResponseError } from './errors.js';
import { getApiJson } from './http.js';
import { checkNextLinkOrigin, resolveNextLink } from './next-link.js';
import type { PageRequest, TracePage } from './records.js';
import { sortRows } from './row-check.js';

/** The first-page URL of a window: both bounds inclusive (`ge`/`le`), hence the last-tick upper bound. */
export function graphFirstPageUrl(graphUrl: string, window: TimeWindow, pageSize: number, upTo?: string): string {
  const { from, to: end } = filterBounds(window);
  const to = upTo ?? end;
  const filter = `receivedDateTime ge ${from} and receivedDateTime le ${to}`;
  return `${graphUrl}/v1.0/admin/exchange/tracing/messageTraces?$filter=${encodeURIComponent(filter)}&$top=${pageSize}`;
}

/**
 * Pulls one page of Graph messageTraces. Next links are followed exactly as given ("apply the entire URL
 * returned in @odata.nextLink", docs/sources.md#graph-query): the skiptoken inside is opaque.
 */
export async function pullGraphPage(request: PageRequest): Promise<TracePage> {
  // The link comes from the activity's input: checked here, every time, since the token goes with it.
  if (request.nextLink !== undefined) checkNextLinkOrigin(request.nextLink, request.baseUrl);
  const url = request.nextLink ?? graphFirstPageUrl(request.baseUrl, request.window, request.pageSize, request.upTo);
  const { body, what } = await getApiJson(url, request.accessToken, request.signal);
  return readGraphPage(body, url, what);
}

/** A Graph page from its parsed JSON body: usable records, unparseable rows, and the checked next link. */
export function readGraphPage(parsed: unknown, url: string, what: string): TracePage {
  const body = parsed as { value?: unknown; '@odata.nextLink'?: unknown } | null;
  if (!Array.isArray(body?.value)) throw new MalformedResponseError(`${what}: 200 without a value array`);
  return { ...sortRows(body.value, 'graph'), nextLink: resolveNextLink(body['@odata.nextLink'], url, what) };
}
