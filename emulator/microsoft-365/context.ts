import type { RollingQuota } from './quota.js';
import type { TokenStore } from './tokens.js';
import type { TraceDataset } from './trace-dataset.js';

/** What the app registration may do, changeable while the emulator runs. */
export interface Permissions {
  /** The Graph token carries ExchangeMessageTrace.Read.All; false → 403. */
  graph: boolean;
  /** The app holds ReportingWebService.Read.All and a directory role; false → RWS 403. */
  reporting: boolean;
  /** The Transport Data Platform service principal exists; false → Graph 401 (docs/sources.md#graph-auth). */
  servicePrincipalProvisioned: boolean;
}

/**
 * Everything the API handlers share. Permissions are read at request time, not baked into tokens: a
 * real token carries its roles until it expires, but checking live lets a test grant a permission
 * and see the very next call succeed without waiting an hour [I].
 */
export interface ApiContext {
  readonly dataset: TraceDataset;
  readonly tokens: TokenStore;
  readonly quota: RollingQuota;
  readonly permissions: Permissions;
  readonly now: () => number;
  /** The RWS refuses StartDate older than this many days before today. */
  readonly reportingMaxAgeDays: number;
  /** How the RWS JSON light `odata.nextLink` is written. */
  readonly reportingNextLink: 'relative' | 'absolute';
}

/** A URL's query rewritten with `name` set to `value`, keeping `$` in option names as Microsoft prints them. */
export function withQueryParam(url: URL, name: string, value: string, drop: readonly string[] = []): string {
  const parts: string[] = [];
  for (const [key, v] of url.searchParams) {
    if (key !== name && !drop.includes(key)) parts.push(`${encodeName(key)}=${encodeURIComponent(v)}`);
  }
  parts.push(`${encodeName(name)}=${encodeURIComponent(value)}`);
  return parts.join('&');
}

function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/^%24/, '$');
}
