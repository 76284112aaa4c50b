import { ADMIN_PREFIX } from './admin.js';
import type { FaultEndpoint } from './faults.js';

/** Where a request goes: one of the three Microsoft endpoints, the admin API, or nowhere. */
export type Route =
  | { readonly kind: 'token'; readonly tenant: string; readonly version: 'v1' | 'v2' }
  | { readonly kind: 'graph'; readonly version: string }
  | { readonly kind: 'reporting' }
  | { readonly kind: 'admin' }
  | { readonly kind: 'unknown'; readonly endpoint?: FaultEndpoint };

const TOKEN = /^\/([^/]+)\/oauth2\/(v2\.0\/)?token\/?$/i;
const GRAPH = /^\/(v1\.0|beta)\/admin\/exchange\/tracing\/messageTraces\/?$/i;
// "The path is not case-sensitive." (docs/sources.md#rws-endpoint); clients use both casings.
const REPORTING = /^\/ecp\/reportingwebservice\/reporting\.svc\/messagetrace\/?$/i;

/** Routes a path. Login, Graph and RWS share one origin, as the collector's O365_*_URL settings allow. */
export function routeOf(pathname: string): Route {
  if (pathname.startsWith(ADMIN_PREFIX)) return { kind: 'admin' };
  const token = TOKEN.exec(pathname);
  if (token) return { kind: 'token', tenant: token[1]!.toLowerCase(), version: token[2] ? 'v2' : 'v1' };
  const graph = GRAPH.exec(pathname);
  if (graph) return { kind: 'graph', version: graph[1]!.toLowerCase() };
  if (REPORTING.test(pathname)) return { kind: 'reporting' };
  // Other paths under a known API still count against that API in the stats.
  if (/^\/ecp\//i.test(pathname)) return { kind: 'unknown', endpoint: 'reporting' };
  if (/^\/(v1\.0|beta)\//i.test(pathname)) return { kind: 'unknown', endpoint: 'graph' };
  return { kind: 'unknown' };
}

/** The method each endpoint answers. */
export function expectedMethod(route: Route): string | undefined {
  if (route.kind === 'token') return 'POST';
  if (route.kind === 'graph' || route.kind === 'reporting') return 'GET';
  return undefined;
}
