import { filterBounds, type TimeWindow } from '../time-windows/index.js';
import { MalformedResponseError } from './errors.js';
import { describe, microsoftHttp, parseApiResponse } from './http.js';
import { resolveNextLink } from './next-link.js';
import type { PageRequest, TracePage, TraceRecord } from './records.js';

/** The first-page URL of a window: both bounds inclusive (`ge`/`le`), hence the last-tick upper bound. */
export function graphFirstPageUrl(graphUrl: string, window: TimeWindow, pageSize: number, upTo?: string): string {
  const { from, to: end } = filterBounds(window);
  const to = upTo ?? end;
  const filter = `receivedDateTime ge ${from} and receivedDateTime le ${to}`;
  return `${graphUrl}/v1.0/admin/exchange/tracing/messageTraces?$filter=${encodeURIComponent(filter)}&$top=${pageSize}`;
}

/**
 * Pulls one page of Graph messageTraces. Next links are followed exactly as given ("apply the entire URL
 * returned in @odata.nextLink", reference §2.3): the skiptoken inside is opaque.
 */
export async function pullGraphPage(request: PageRequest): Promise<TracePage> {
  const url = request.nextLink ?? graphFirstPageUrl(request.baseUrl, request.window, request.pageSize, request.upTo);
  const what = describe('GET', url);
  const response = await microsoftHttp.get(url, {
    headers: { authorization: `Bearer ${request.accessToken}`, accept: 'application/json' },
    signal: request.signal,
  });
  const body = parseApiResponse(response, what) as { value?: unknown; '@odata.nextLink'?: unknown };
  if (!Array.isArray(body?.value)) throw new MalformedResponseError(`${what}: 200 without a value array`);
  return { records: body.value as TraceRecord[], nextLink: resolveNextLink(body['@odata.nextLink'], url, what) };
}
