import { accessSync, constants, statSync } from 'node:fs';
import { MAX_QUERY_SPAN_MS, PAGE_SIZE_RANGE, type SourceName } from '../contracts/microsoft-limits.js';
import { endpointProblem } from '../microsoft/endpoints.js';
import { startProblem } from './start.js';

/** The parsed environment variables the cross checks read (config/schema.ts's Environment has them all). */
export interface CrossCheckedSettings {
  readonly O365_SOURCE: SourceName;
  readonly O365_PAGE_SIZE: number;
  readonly O365_WINDOW: number;
  readonly O365_START: string;
  readonly O365_ALLOW_ANY_ENDPOINT: string;
  readonly O365_LOGIN_URL: string;
  readonly O365_GRAPH_URL: string;
  readonly O365_REPORTING_URL: string;
  readonly DEVO_TRANSPORT: string;
  readonly DEVO_CERT?: string;
  readonly DEVO_KEY?: string;
  readonly DEVO_CHAIN?: string;
  readonly DEVO_HTTP_URL?: string;
  readonly DEVO_HTTP_TOKEN?: string;
  readonly DEVO_DOMAIN?: string;
  readonly PAYLOAD_KEY?: string;
  readonly PAYLOAD_KEY_FILE?: string;
  readonly PAYLOAD_KEY_PREVIOUS?: string;
  readonly PAYLOAD_KEY_PREVIOUS_FILE?: string;
  readonly CODEC_SERVER_OIDC_ISSUER?: string;
  readonly CODEC_SERVER_OIDC_AUDIENCE?: string;
}

/** Checks across settings; `noDevo` skips the Devo ones, which only workers (and the demo's own setup) need. */
export function crossChecks(e: CrossCheckedSettings, noDevo: boolean): string[] {
  const lines: string[] = [];
  // A setting that failed its own check is absent here (the checks still run on the rest, so every
  // problem shows at once): O365_SOURCE may be missing although its type says otherwise.
  const maxPage = PAGE_SIZE_RANGE[e.O365_SOURCE]?.max;
  if (maxPage !== undefined && e.O365_PAGE_SIZE > maxPage) lines.push(`O365_PAGE_SIZE: at most ${maxPage} for O365_SOURCE=${e.O365_SOURCE}`);
  if (e.O365_WINDOW > MAX_QUERY_SPAN_MS) lines.push('O365_WINDOW: at most 10d, the longest span Microsoft accepts in one query');
  const badStart = startProblem(e.O365_START);
  if (badStart) lines.push(`O365_START: ${badStart}`);
  // The client secret and tokens go to these URLs: only Microsoft's, the same rule as the tenants file's.
  if (e.O365_ALLOW_ANY_ENDPOINT !== 'true') {
    for (const [name, api] of [['O365_LOGIN_URL', 'login'], ['O365_GRAPH_URL', 'graph'], ['O365_REPORTING_URL', 'reporting']] as const) {
      const problem = e[name] === undefined ? undefined : endpointProblem(e[name], api);
      if (problem) lines.push(`${name}: ${problem}`);
    }
  }
  if (!noDevo && e.DEVO_TRANSPORT === 'tls') {
    for (const name of ['DEVO_CERT', 'DEVO_KEY', 'DEVO_CHAIN'] as const) {
      const path = e[name];
      if (!path) lines.push(`${name}: required for DEVO_TRANSPORT=tls (PEM file path)`);
      else if (unreadable(path)) lines.push(`${name}: cannot read ${path} (${unreadable(path)})`);
    }
  }
  if (!noDevo && e.DEVO_TRANSPORT === 'http') {
    for (const name of ['DEVO_HTTP_URL', 'DEVO_HTTP_TOKEN', 'DEVO_DOMAIN'] as const) if (!e[name]) lines.push(`${name}: required for DEVO_TRANSPORT=http`);
  }
  if (e.PAYLOAD_KEY && e.PAYLOAD_KEY_FILE) lines.push('PAYLOAD_KEY_FILE: set either PAYLOAD_KEY or PAYLOAD_KEY_FILE, not both');
  if (e.PAYLOAD_KEY_PREVIOUS && e.PAYLOAD_KEY_PREVIOUS_FILE) lines.push('PAYLOAD_KEY_PREVIOUS_FILE: set either PAYLOAD_KEY_PREVIOUS or PAYLOAD_KEY_PREVIOUS_FILE, not both');
  if (e.CODEC_SERVER_OIDC_AUDIENCE && !e.CODEC_SERVER_OIDC_ISSUER) lines.push('CODEC_SERVER_OIDC_AUDIENCE: set with CODEC_SERVER_OIDC_ISSUER only');
  return lines;
}

/** Why a file cannot be read (its errno code), or undefined when it can: found at start, not mid-run. */
function unreadable(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile() ? undefined : 'not a file';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
}
