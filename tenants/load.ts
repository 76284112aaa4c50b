import { accessSync, constants, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { MAX_QUERY_SPAN_MS, PAGE_SIZE_RANGE } from '../contracts/microsoft-limits.js';
import { startProblem } from '../config/start.js';
import type { DevoConfig, MicrosoftConfig } from '../config/types.js';
import type { ApiBudget } from '../time-windows/index.js';
import { endpointProblem } from '../microsoft/endpoints.js';
import { readAssertionCredential, readClientSecret } from './credentials.js';
import { reservedFileProblem, reservedFiles } from './reserved-secrets.js';
import { duplicateTenants, issueLines, tenantsFileSchema, type TenantEntry } from './schema.js';

/** One tenant of the tenants file, completed from the environment's settings. */
export interface TenantConfig {
  /** The client secret is empty unless the file was loaded for a worker. */
  readonly microsoft: MicrosoftConfig;
  readonly devo: DevoConfig;
  /** The tenant's Microsoft API budget, when the file sets one; else the collector's default. */
  readonly budget?: ApiBudget;
}

/** The environment's settings every tenant starts from. */
export interface TenantDefaults {
  readonly microsoft: MicrosoftConfig;
  readonly devo: DevoConfig;
}

/** What loadTenantsFile found: the tenants, or one line per problem (each naming tenant and field). */
export type TenantsResult = { readonly tenants: TenantConfig[]; readonly lines: [] } | { readonly tenants?: undefined; readonly lines: string[] };


/**
 * Reads and checks the tenants file (YAML, or JSON, which YAML reads too). With `readSecrets` (workers
 * only), each tenant's client secret is read from the variable or file its entry names. Its Microsoft
 * URLs must be Microsoft's, unless `allowAnyEndpoint` (O365_ALLOW_ANY_ENDPOINT) is set.
 */
export function loadTenantsFile(path: string, defaults: TenantDefaults, env: NodeJS.ProcessEnv, options: { readSecrets: boolean; allowAnyEndpoint?: boolean }): TenantsResult {
  let text: string;
  let raw: unknown;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { lines: [`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
  }
  try {
    raw = parse(text);
  } catch (err) {
    // First line only: the parser's later lines quote the file.
    return { lines: [`${path} is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`] };
  }
  const parsed = tenantsFileSchema.safeParse(raw);
  const lines = [...(parsed.success ? [] : issueLines(parsed.error.issues, raw)), ...duplicateTenants(raw)];
  if (!parsed.success || lines.length > 0) return { lines };
  const reserved = reservedFiles(env, [['O365_TENANTS_FILE', path], ...parsed.data.tenants.flatMap(devoFiles)]);
  const tenants = parsed.data.tenants.map((entry, index) => {
    const label = `tenant ${entry.tenantId} (#${index + 1})`;
    const tenant = completeTenant(entry, defaults);
    lines.push(...crossChecks(tenant).map((line) => `${label} ${line}`));
    if (!options.allowAnyEndpoint) lines.push(...foreignEndpoints(entry).map((line) => `${label} ${line}`));
    const reservedFile = reservedFileProblem(entry.clientSecretFile, reserved);
    if (reservedFile) lines.push(`${label} ${reservedFile}`);
    if (!options.readSecrets || reservedFile) return tenant;
    lines.push(...unreadableDevoFiles(entry).map((line) => `${label} ${line}`));
    const assertion = readAssertionCredential(entry, env);
    if ('problem' in assertion) lines.push(`${label} ${assertion.problem}`);
    if ('credential' in assertion && assertion.credential) {
      // Named with its tenant, so a refusal or an expiry says whose certificate to renew.
      const credential = { ...assertion.credential, setting: `${label} ${assertion.credential.setting}` };
      return { ...tenant, microsoft: { ...tenant.microsoft, credential } };
    }
    if ('problem' in assertion) return tenant;
    const secret = readClientSecret(entry, env);
    if ('problem' in secret) lines.push(`${label} ${secret.problem}`);
    return 'secret' in secret ? { ...tenant, microsoft: { ...tenant.microsoft, clientSecret: secret.secret } } : tenant;
  });
  return lines.length > 0 ? { lines } : { tenants, lines: [] };
}

function completeTenant(entry: TenantEntry, defaults: TenantDefaults): TenantConfig {
  const ms = defaults.microsoft;
  const devo = entry.devo;
  return {
    microsoft: {
      ...ms,
      tenantId: entry.tenantId,
      clientId: entry.clientId,
      clientSecret: '',
      source: entry.source ?? ms.source,
      loginUrl: entry.loginUrl ?? ms.loginUrl,
      graphUrl: entry.graphUrl ?? ms.graphUrl,
      reportingUrl: entry.reportingUrl ?? ms.reportingUrl,
      start: entry.start ?? ms.start,
      windowMs: entry.window ?? ms.windowMs,
      lagMs: entry.lag ?? ms.lagMs,
      pageSize: entry.pageSize ?? ms.pageSize,
    },
    devo: {
      ...defaults.devo,
      tag: devo?.tagSuffix ? `${defaults.devo.tag}.${devo.tagSuffix}` : defaults.devo.tag,
      ...(devo?.cert && { certPath: devo.cert, keyPath: devo.key, chainPath: devo.chain }),
      ...(devo?.address && { address: devo.address }),
      ...(devo?.port && { port: devo.port }),
    },
    budget: entry.budget && { requests: entry.budget.requests, windowMs: entry.budget.window, liveReserve: entry.budget.liveReserve },
  };
}

/** Checks that need the tenant's settings completed from the environment. */
function crossChecks({ microsoft: ms, devo }: TenantConfig): string[] {
  const lines: string[] = [];
  if (ms.pageSize > PAGE_SIZE_RANGE[ms.source].max) lines.push(`pageSize: at most ${PAGE_SIZE_RANGE[ms.source].max} for source ${ms.source}`);
  if (ms.windowMs > MAX_QUERY_SPAN_MS) lines.push('window: at most 10d, the longest span Microsoft accepts in one query');
  const badStart = startProblem(ms.start);
  if (badStart) lines.push(`start: ${badStart}`);
  if (devo.tag.split('.').length > 10) lines.push(`devo.tagSuffix: ${devo.tag} has more than 10 levels`);
  return lines;
}

/** The entry's own Microsoft URLs that are not Microsoft's (those it inherits were checked as O365_*_URL). */
function foreignEndpoints(entry: TenantEntry): string[] {
  const urls = [['loginUrl', entry.loginUrl, 'login'], ['graphUrl', entry.graphUrl, 'graph'], ['reportingUrl', entry.reportingUrl, 'reporting']] as const;
  return urls.flatMap(([field, url, api]) => {
    const problem = url === undefined ? undefined : endpointProblem(url, api);
    return problem ? [`${field}: ${problem}`] : [];
  });
}

/** A separate Devo domain's certificate, key and chain, as files no tenant's secret may be read from. */
function devoFiles(entry: TenantEntry): Array<[string, string]> {
  return (['cert', 'key', 'chain'] as const).flatMap((name) => (entry.devo?.[name] ? [[`tenant ${entry.tenantId} devo.${name}`, entry.devo[name]!] as [string, string]] : []));
}

/** A separate Devo domain's PEM files, checked where they are used: on the worker. */
function unreadableDevoFiles(entry: TenantEntry): string[] {
  return (['cert', 'key', 'chain'] as const).flatMap((name) => {
    const path = entry.devo?.[name];
    if (path === undefined) return [];
    try {
      accessSync(path, constants.R_OK);
      return [];
    } catch (err) {
      return [`devo.${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`];
    }
  });
}
