import { withQueryParam, type ApiContext } from './context.js';
import { reportingError, reportingForbidden, reportingUnauthorized, THROTTLED_MESSAGE } from './errors.js';
import type { ApiRequest, Reply } from './http.js';
import { parseReportingFilter, ReportingFilterError, type ReportingFilter } from './reporting-filter.js';
import { renderAtom, renderLight, renderVerbose, REPORTING_FIELDS, type ReportingPage } from './reporting-render.js';
import { reportingPredicate, scanRows } from './row-scan.js';
import { comparePrecise, startOfUtcDay, type PreciseTime } from './time.js';

const DAY_MS = 86_400_000;
/** Default and largest page (docs/sources.md#rws-paging). */
const MAX_TOP = 2000;

/** A query the RWS refuses with 400 (or `status`), carrying its message. */
class BadQuery extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

/**
 * `GET /ecp/reportingwebservice/reporting.svc/MessageTrace`, any letter case (docs/sources.md#rws-endpoint).
 * Checks run token, permission, quota, query. The shape follows the request: `$format=json` gives
 * verbose JSON, `Accept: application/json` JSON light, anything else Atom (docs/sources.md#rws-json-shapes).
 */
export function handleReporting(req: ApiRequest, ctx: ApiContext): Reply {
  const now = ctx.now();
  const auth = ctx.tokens.check(req.headers.authorization, 'reporting');
  // Every token problem gets IIS's HTML 401, whatever the cause (docs/sources.md#rws-errors).
  if (!auth.ok) return reportingUnauthorized();
  if (!ctx.permissions.reporting) return reportingForbidden();
  const verdict = ctx.quota.take(auth.tenant, now);
  if (!verdict.ok) return reportingError(429, THROTTLED_MESSAGE, { 'retry-after': String(verdict.retryAfterSeconds) });
  try {
    return servePage(req, ctx, now);
  } catch (err) {
    if (err instanceof BadQuery) return reportingError(err.status, err.message);
    if (err instanceof ReportingFilterError) return reportingError(400, err.message);
    throw err;
  }
}

function servePage(req: ApiRequest, ctx: ApiContext, now: number): Reply {
  const params = req.url.searchParams;
  const top = Math.min(wholeNumber(params.get('$top'), '$top') ?? MAX_TOP, MAX_TOP);
  const skip = wholeNumber(params.get('$skiptoken'), '$skiptoken') ?? 0;
  const format = params.get('$format')?.toLowerCase();
  if (format !== undefined && !['json', 'atom', 'xml'].includes(format)) throw new BadQuery('Unsupported media type requested.', 415);
  const shape = format === 'json' ? 'verbose' : format === undefined && /application\/json/i.test(String(req.headers.accept ?? '')) ? 'light' : 'atom';
  const fields = selectedFields(params.get('$select'));
  const filterText = params.get('$filter');
  const filter: ReportingFilter = filterText === null ? { equals: new Map() } : parseReportingFilter(filterText);
  const { start, end } = timeWindow(filter, now, ctx.reportingMaxAgeDays);
  const { dataset } = ctx;
  const from = dataset.firstAtOrBefore(dataset.tickOf(end));
  const to = dataset.firstBefore(dataset.tickOf(start));
  // $skiptoken is an offset into the whole result (docs/sources.md#rws-paging).
  const { rows, more } = scanRows(dataset, from, to, now, reportingPredicate(dataset, filter.equals), skip, top);
  const serviceRoot = `${req.url.origin}/ecp/ReportingWebService/Reporting.svc`;
  const page: ReportingPage = { rows, offset: skip, startDate: start, endDate: end, fields, serviceRoot, ...(more ? nextLinks(req, ctx, serviceRoot, skip + rows.length) : {}) };
  if (shape === 'verbose') return renderVerbose(dataset, page, now);
  if (shape === 'light') return renderLight(dataset, page, now);
  return renderAtom(dataset, page, now);
}

/**
 * The next page's links. The JSON light link is relative by default, `../../ReportingWebService/…`, as
 * Splunk's handling shows (docs/sources.md#rws-json-shapes): resolved against the request URL it lands on `/ecp/…`. The
 * number of `../` follows the request's own path, so the link resolves right however the path was cased.
 */
function nextLinks(req: ApiRequest, ctx: ApiContext, serviceRoot: string, skiptoken: number): { nextAbsolute: string; nextLight: string } {
  const query = withQueryParam(req.url, '$skiptoken', String(skiptoken));
  const nextAbsolute = `${serviceRoot}/MessageTrace?${query}`;
  const path = req.url.pathname;
  const belowEcp = path.slice(path.toLowerCase().indexOf('/ecp/') + '/ecp/'.length);
  const relative = `${'../'.repeat(belowEcp.split('/').length - 1)}ReportingWebService/Reporting.svc/MessageTrace?${query}`;
  return { nextAbsolute, nextLight: ctx.reportingNextLink === 'absolute' ? nextAbsolute : relative };
}

/** `$top` and `$skiptoken` must be whole numbers: `'1000]'` gives the 400 of elastic#8633 (docs/sources.md#rws-query). */
function wholeNumber(text: string | null, option: string): number | undefined {
  if (text === null) return undefined;
  if (!/^\d+$/.test(text)) throw new BadQuery(`Incorrect format for ${option} argument '${text}'.`);
  return Number(text);
}

function selectedFields(select: string | null): readonly string[] {
  if (select === null || select.trim() === '' || select.trim() === '*') return REPORTING_FIELDS;
  const wanted = select.split(',').map((f) => f.trim());
  for (const field of wanted) {
    if (!(REPORTING_FIELDS as readonly string[]).includes(field)) {
      throw new BadQuery(`No property '${field}' exists in type 'TenantReporting.MessageTrace' at position ${select.indexOf(field)}.`);
    }
  }
  return REPORTING_FIELDS.filter((f) => wanted.includes(f));
}

/**
 * The window: [StartDate, EndDate], both inclusive; the last 48 hours without a filter; now as the end
 * when only StartDate is given [I]. EndDate needs StartDate (jj984335), and StartDate may not be older
 * than the configured days before today (`Get-MessageTrace`'s rule and text, docs/sources.md#rws-retention).
 */
function timeWindow(filter: ReportingFilter, now: number, maxAgeDays: number): { start: PreciseTime; end: PreciseTime } {
  const { startDate, endDate } = filter;
  if (endDate && !startDate) throw new BadQuery('If you supply EndDate in the $filter option, you must also supply StartDate.');
  if (!startDate) return { start: { ms: now - 2 * DAY_MS, sub: 0 }, end: { ms: now, sub: 0 } };
  if (startDate.ms < startOfUtcDay(now) - maxAgeDays * DAY_MS) {
    throw new BadQuery(`Invalid StartDate value. The StartDate can't be older than ${maxAgeDays} days from today.`);
  }
  const end = endDate ?? { ms: now, sub: 0 };
  if (comparePrecise(end, startDate) < 0) throw new BadQuery("Invalid EndDate value. The EndDate can't be earlier than the StartDate."); // [I]
  return { start: startDate, end };
}
