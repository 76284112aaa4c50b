import { randomUUID } from 'node:crypto';
import { withQueryParam, type ApiContext } from './context.js';
import { graphError, graphForbidden, graphUnauthorized, SERVICE_PRINCIPAL_MISSING, THROTTLED_MESSAGE } from './errors.js';
import type { FaultClaim } from './faults.js';
import { GraphFilterError, parseGraphFilter, type GraphFilter } from './graph-filter.js';
import { decodeSkipToken, encodeSkipToken, SkipTokenError, type GraphSkipToken } from './graph-skiptoken.js';
import type { ApiRequest, Reply } from './http.js';
import { graphPredicate, scanRows } from './row-scan.js';
import { comparePrecise, formatTicksUtc, startOfUtcDay, TICKS_PER_MS, type PreciseTime } from './time.js';
import type { TokenProblem } from './tokens.js';

const DAY_MS = 86_400_000;
const DEFAULT_TOP = 1000;
const MAX_TOP = 5000;

const TOKEN_MESSAGES: Record<TokenProblem, string> = {
  missing: 'Access token is empty.',
  malformed: 'IDX14100: JWT is not well formed, there are no dots (.). The token needs to be in JWS or JWE Compact Serialization Format.',
  unknown: 'Access token validation failure. Invalid signature.',
  expired: 'Lifetime validation failed, the token is expired.',
  audience: 'Access token validation failure. Invalid audience.',
};

/** A query Graph refuses with 400 BadRequest, carrying its message. */
class BadRequest extends Error {}

/**
 * `GET /{v1.0|beta}/admin/exchange/tracing/messageTraces` (docs/sources.md#graph-query). Checks run
 * in the order a real request meets them: token, service principal, role, quota, then the query.
 * `doubleEncode` is a scripted `double-encoded-skiptoken` fault, used up only if a next link is written.
 */
export function handleGraph(req: ApiRequest, version: string, ctx: ApiContext, doubleEncode?: FaultClaim): Reply {
  const now = ctx.now();
  const auth = ctx.tokens.check(req.headers.authorization, 'graph');
  if (!auth.ok) return graphUnauthorized(TOKEN_MESSAGES[auth.problem], req, now);
  if (!ctx.permissions.servicePrincipalProvisioned) return graphError(401, 'Unauthorized', SERVICE_PRINCIPAL_MISSING, req, now);
  if (!ctx.permissions.graph) return graphForbidden(req, now);
  const verdict = ctx.quota.take(auth.tenant, now);
  if (!verdict.ok) return graphError(429, 'TooManyRequests', THROTTLED_MESSAGE, req, now, { 'retry-after': String(verdict.retryAfterSeconds) });
  try {
    return servePage(req, version, ctx, now, doubleEncode);
  } catch (err) {
    if (err instanceof BadRequest || err instanceof GraphFilterError || err instanceof SkipTokenError) return graphError(400, 'BadRequest', err.message, req, now);
    throw err;
  }
}

function servePage(req: ApiRequest, version: string, ctx: ApiContext, now: number, doubleEncode?: FaultClaim): Reply {
  const params = req.url.searchParams;
  const topText = params.get('$top');
  if (topText !== null && !(/^\d+$/.test(topText) && Number(topText) >= 1 && Number(topText) <= MAX_TOP)) throw new BadRequest('ResultSize is invalid');
  const top = topText === null ? DEFAULT_TOP : Number(topText);
  const filterText = params.get('$filter');
  const filter: GraphFilter = filterText === null ? { equals: new Map() } : parseGraphFilter(filterText);
  const window = timeWindow(filter, now);
  const skipText = params.get('$skiptoken') ?? params.get('$skipToken');
  const token = skipText === null ? undefined : decodeSkipToken(skipText);
  const { dataset } = ctx;
  const start = token?.startDate ?? window.start;
  const firstIndex = dataset.firstAtOrBefore(dataset.tickOf(window.end));
  const from = token ? Math.max(firstIndex, continuation(ctx, token)) : firstIndex;
  const to = dataset.firstBefore(dataset.tickOf(start));
  const { rows, more } = scanRows(dataset, from, to, now, graphPredicate(dataset, filter), 0, top);
  const body: Record<string, unknown> = {
    '@odata.context': `${req.url.origin}/${version}/$metadata#admin/exchange/tracing/messageTraces`,
    value: rows.map((i) => dataset.graphRow(i, now)),
  };
  if (more) {
    const last = rows[rows.length - 1]!;
    const received = dataset.received(last);
    const skiptoken = encodeSkipToken(
      { StartDate: formatTicksUtc(start.ms, start.sub), EndDate: formatTicksUtc(received.ms, received.sub), StartingRecipientAddress: dataset.recipient(last), ResultSize: String(top) },
      doubleEncode !== undefined,
    );
    doubleEncode?.consume();
    body['@odata.nextLink'] = `${req.url.origin}${req.url.pathname}?${withQueryParam(req.url, '$skiptoken', skiptoken, ['$skipToken'])}`;
  }
  return {
    status: 200,
    headers: {
      'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
      'odata-version': '4.0',
      'request-id': randomUUID(),
      'client-request-id': String(req.headers['client-request-id'] ?? randomUUID()),
    },
    body: JSON.stringify(body),
    rows: rows.length,
  };
}

/** The first row strictly after the token's (EndDate, StartingRecipientAddress) in service order. */
function continuation(ctx: ApiContext, token: GraphSkipToken): number {
  return ctx.dataset.firstAfter(ctx.dataset.tickOf(token.endDate), token.startingRecipientAddress);
}

/**
 * The window a filter asks for, checked against Graph's limits (docs/sources.md#graph-query): both bounds or none
 * (then the last 48 hours); at most 10 days; start not before 00:00 UTC 90 days ago; end not after now.
 * The texts are FakeGraph's (§2.3 "Other observed errors"); the two marked [I] are ours.
 */
function timeWindow(filter: GraphFilter, now: number): { start: PreciseTime; end: PreciseTime } {
  const { ge, le } = filter;
  if (!ge && !le) return { start: { ms: now - 2 * DAY_MS, sub: 0 }, end: { ms: now, sub: 0 } };
  if (!le) throw new BadRequest('EndDate is required when a StartDate is entered.');
  if (!ge) throw new BadRequest('StartDate is required when an EndDate is entered.'); // [I]
  if (comparePrecise(ge, le) > 0) throw new BadRequest("|System.ArgumentException|The StartDate can't be later than the EndDate."); // [I]
  if ((le.ms - ge.ms) * TICKS_PER_MS + (le.sub - ge.sub) > 10 * DAY_MS * TICKS_PER_MS) {
    throw new BadRequest("|System.ArgumentException|The interval between StartDate and EndDate can't be longer than 10 days.");
  }
  if (ge.ms < startOfUtcDay(now) - 90 * DAY_MS) throw new BadRequest("Invalid StartDate value. The StartDate can't be older than 90 days from today.");
  if (comparePrecise(le, { ms: now, sub: 0 }) > 0) throw new BadRequest("Invalid EndDate value. The EndDate can't be later than the current time."); // [I]
  return { start: ge, end: le };
}
