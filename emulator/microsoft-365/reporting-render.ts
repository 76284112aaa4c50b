import { reportingHeaders } from './errors.js';
import type { Reply } from './http.js';
import { formatTicksUtc, formatVerboseDate, type PreciseTime } from './time.js';
import type { TraceDataset } from './trace-dataset.js';

/** The MessageTrace fields in the order the service sends them (docs/sources.md#rws-fields). */
export const REPORTING_FIELDS = [
  'Organization', 'MessageId', 'Received', 'SenderAddress', 'RecipientAddress', 'Subject', 'Status',
  'ToIP', 'FromIP', 'Size', 'MessageTraceId', 'StartDate', 'EndDate', 'Index',
] as const;

/** One page to render: which rows, where they sit in the full result, and the echoed window. */
export interface ReportingPage {
  readonly rows: readonly number[];
  /** The `Index` of the first row: its 0-based position in the full result. */
  readonly offset: number;
  readonly startDate: PreciseTime;
  readonly endDate: PreciseTime;
  /** `$select`ed fields, or every field. */
  readonly fields: readonly string[];
  /** The service root as this client reaches it: `http://host/ecp/ReportingWebService/Reporting.svc`. */
  readonly serviceRoot: string;
  /** The next page, absolute; and as the JSON light link should be written (relative or absolute). */
  readonly nextAbsolute?: string;
  readonly nextLight?: string;
}

type Row = Record<string, unknown>;

/** Rows with the echoed window; `received` re-renders Received (verbose dates), otherwise it stays ISO. */
function rowsOf(ds: TraceDataset, page: ReportingPage, nowMs: number, dates: (t: PreciseTime) => string, received?: (i: number) => string): Row[] {
  const start = dates(page.startDate);
  const end = dates(page.endDate);
  const all = page.fields.length === REPORTING_FIELDS.length;
  return page.rows.map((i, k) => {
    const row: Row = ds.reportingRow(i, nowMs) as unknown as Row;
    if (received) row.Received = received(i);
    Object.assign(row, { StartDate: start, EndDate: end, Index: page.offset + k });
    if (all) return row;
    return Object.fromEntries(page.fields.map((f) => [f, row[f]]));
  });
}

/**
 * OData v3 JSON light, for `Accept: application/json` without `$format` (docs/sources.md#rws-json-shapes):
 * ISO dates, `Received` without a zone and StartDate/EndDate with `Z`, next page in `odata.nextLink`.
 */
export function renderLight(ds: TraceDataset, page: ReportingPage, nowMs: number): Reply {
  const rows = rowsOf(ds, page, nowMs, (t) => formatTicksUtc(t.ms, t.sub));
  const body: Row = { 'odata.metadata': `${page.serviceRoot}/$metadata#MessageTrace`, value: rows };
  if (page.nextLight) body['odata.nextLink'] = page.nextLight;
  return {
    status: 200,
    headers: { 'content-type': 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8', ...reportingHeaders('3.0;') },
    body: JSON.stringify(body),
    rows: rows.length,
  };
}

/**
 * OData v2 verbose JSON, for `$format=json` (docs/sources.md#rws-json-shapes): `d.results`, a
 * `__metadata` per row and `\/Date(ms)\/` dates. The next page goes in `d.__next`, absolute, as OData v2
 * writes it; no MessageTrace sample shows one [I].
 */
export function renderVerbose(ds: TraceDataset, page: ReportingPage, nowMs: number): Reply {
  const rows = rowsOf(ds, page, nowMs, (t) => formatVerboseDate(t.ms), (i) => formatVerboseDate(ds.receivedMs(i))).map((row, k) => {
    const uri = `${page.serviceRoot}/MessageTrace(${page.offset + k})`;
    return { __metadata: { id: uri, uri, type: 'TenantReporting.MessageTrace' }, ...row };
  });
  const d: Row = { results: rows };
  if (page.nextAbsolute) d.__next = page.nextAbsolute;
  // WCF escapes the slashes of its date form on the wire: "\/Date(1658751973240)\/". `\/` is a legal
  // JSON escape for `/`, so the rewrite changes the bytes but not the parsed value.
  const body = JSON.stringify({ d }).replace(/"\/Date\((-?\d+)\)\/"/g, '"\\/Date($1)\\/"');
  return { status: 200, headers: { 'content-type': 'application/json;charset=utf-8', ...reportingHeaders('2.0;') }, body, rows: rows.length };
}

const xml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const EDM: Record<string, string> = { Received: 'Edm.DateTime', Size: 'Edm.Int32', MessageTraceId: 'Edm.Guid', StartDate: 'Edm.DateTime', EndDate: 'Edm.DateTime', Index: 'Edm.Int32' };

/** The default Atom feed (docs/sources.md#rws-query); complete enough to parse, without the service's extras. */
export function renderAtom(ds: TraceDataset, page: ReportingPage, nowMs: number): Reply {
  const rows = rowsOf(ds, page, nowMs, (t) => formatTicksUtc(t.ms, t.sub).slice(0, -1));
  const updated = new Date(nowMs).toISOString();
  const entries = rows.map((row) => {
    const id = `${page.serviceRoot}/MessageTrace(${String(row.Index ?? '')})`;
    const props = Object.entries(row)
      .map(([k, v]) => (v === null ? `<d:${k} m:null="true" />` : `<d:${k}${EDM[k] ? ` m:type="${EDM[k]}"` : ''}>${xml(String(v))}</d:${k}>`))
      .join('');
    return `<entry><id>${xml(id)}</id><category term="TenantReporting.MessageTrace" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme" /><link rel="edit" title="MessageTrace" href="${xml(id)}" /><title /><updated>${updated}</updated><author><name /></author><content type="application/xml"><m:properties>${props}</m:properties></content></entry>`;
  });
  const next = page.nextAbsolute ? `<link rel="next" href="${xml(page.nextAbsolute)}" />` : '';
  const body = `<?xml version="1.0" encoding="utf-8" standalone="yes"?><feed xml:base="${xml(page.serviceRoot)}/" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns="http://www.w3.org/2005/Atom"><title type="text">MessageTrace</title><id>${xml(page.serviceRoot)}/MessageTrace</id><updated>${updated}</updated><link rel="self" title="MessageTrace" href="MessageTrace" />${entries.join('')}${next}</feed>`;
  return { status: 200, headers: { 'content-type': 'application/atom+xml;type=feed;charset=utf-8', ...reportingHeaders('2.0;') }, body, rows: rows.length };
}
