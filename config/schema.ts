import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../contracts/microsoft-limits.js';
import { parseDuration } from './durations.js';
import { TAG_PATTERN } from '../devo/framing.js';
import { TEMPORAL_DEFAULTS } from './temporal.js';
import { resolveTemporalConnection, type TemporalConnection } from './temporal-connection.js';
import { loadTenantsFile, type TenantConfig } from '../tenants/load.js';
import { CREDENTIAL_VARIABLES, environmentCredential } from './credentials.js';
import { parseEach } from './parse-each.js';
import { closestName } from './suggest.js';
import { crossChecks } from './cross-checks.js';
import { readPayloadKey, readPreviousPayloadKeys } from './payload-keys.js';
import { readSecretFiles } from './secret-files.js';
import { isSocketAddress } from './socket-address.js';
import type { DevoConfig, MicrosoftConfig } from './types.js';

/**
 * The environment (and `.env`) → one typed, readonly Config. This module is the only reader of
 * `process.env` for collector settings; every variable sits next to its default and a one-line doc,
 * which makes it docs/configuration.md's table in code.
 */

const duration = (name: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 30s, 5m, 2h or 7d, got '${text}' (${name})` });
      return z.NEVER;
    }
    return ms;
  });

const integer = (min: number, max: number) =>
  z.string().transform((text, ctx) => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}, got '${text}'` });
      return z.NEVER;
    }
    return n;
  });

const url = z.string().url('expected an absolute URL such as https://graph.microsoft.com').transform((u) => u.replace(/\/+$/, ''));
const nonEmpty = z.string().trim().min(1, 'must not be empty');
const httpUrl = (example: string) => url.refine((u) => /^https?:\/\/[^/]/.test(u), `expected an http or https URL such as ${example}`);

/** Every variable the collector reads, with its default. Unknown O365_/DEVO_/PAYLOAD_ variables are errors. */
const environmentSchema = z.object({
  /** Directory (tenant) id of the app registration; any tenant id when using the emulator. */
  O365_TENANT_ID: nonEmpty.optional(),
  /** Application (client) id of the app registration. */
  O365_CLIENT_ID: nonEmpty.optional(),
  /** Client secret value (not its id). Read by workers only; never enters workflow input or history. */
  O365_CLIENT_SECRET: nonEmpty.optional(),
  /** File holding the client secret (a compose or Kubernetes secret), instead of O365_CLIENT_SECRET. */
  O365_CLIENT_SECRET_FILE: nonEmpty.optional(),
  /** PEM file with the client certificate and its private key, instead of a client secret (as Azure Identity's AZURE_CLIENT_CERTIFICATE_PATH). Read by workers only. */
  O365_CLIENT_CERTIFICATE_FILE: nonEmpty.optional(),
  /** Password of the certificate file's encrypted private key. */
  O365_CLIENT_CERTIFICATE_PASSWORD: nonEmpty.optional(),
  /** File holding that password, instead of O365_CLIENT_CERTIFICATE_PASSWORD. */
  O365_CLIENT_CERTIFICATE_PASSWORD_FILE: nonEmpty.optional(),
  /** File with a federated token (workload identity federation, as AZURE_FEDERATED_TOKEN_FILE on Kubernetes), read afresh for every token request. */
  O365_FEDERATED_TOKEN_FILE: nonEmpty.optional(),
  /** `graph` (Microsoft Graph messageTraces, the default) or `reporting` (legacy Reporting Web Service). */
  O365_SOURCE: z.enum(['graph', 'reporting']).default('graph'),
  /** Identity platform base URL @default https://login.microsoftonline.com */
  O365_LOGIN_URL: url.default('https://login.microsoftonline.com'),
  /** Graph base URL @default https://graph.microsoft.com */
  O365_GRAPH_URL: url.default('https://graph.microsoft.com'),
  /** Reporting Web Service base URL @default https://reports.office365.com */
  O365_REPORTING_URL: url.default('https://reports.office365.com'),
  /** Where collection starts: an ISO time or a duration back such as 2h or 7d @default 1h */
  O365_START: z.string().default('1h'),
  /** Length of one collection window @default 5m */
  O365_WINDOW: duration('O365_WINDOW').default('5m'),
  /** How far behind now the newest window ends, because Microsoft delivers late @default 15m */
  O365_LAG: duration('O365_LAG').default('15m'),
  /** Records per API page (Graph 1-5000, Reporting Web Service 1-2000) @default 1000 */
  O365_PAGE_SIZE: integer(1, MAX_PAGE_SIZE).default('1000'),
  /** Safety margin kept inside the source's retention when clamping O365_START @default 1h */
  O365_RETENTION_MARGIN: duration('O365_RETENTION_MARGIN').default('1h'),
  /** Tenants file (YAML or JSON) for many tenants; its entries override the O365_* and DEVO_* defaults per tenant. */
  O365_TENANTS_FILE: nonEmpty.optional(),
  /** `true` lets the Microsoft URLs (here and in the tenants file) be any URL, http included: for the emulator and tests only @default false */
  O365_ALLOW_ANY_ENDPOINT: z.enum(['true', 'false'], { message: 'expected true or false' }).default('false'),

  /** `tls` (direct to Devo), `relay` (plain TCP to an on-premise relay) or `http` @default tls */
  DEVO_TRANSPORT: z.enum(['tls', 'relay', 'http']).default('tls'),
  /** Devo collector host @default collector-us.devo.io */
  DEVO_ADDRESS: nonEmpty.default('collector-us.devo.io'),
  /** Devo collector port @default 443 */
  DEVO_PORT: integer(1, 65535).default('443'),
  /** PEM file of the Devo domain certificate (mutual TLS). */
  DEVO_CERT: nonEmpty.optional(),
  /** PEM file of the Devo domain private key. */
  DEVO_KEY: nonEmpty.optional(),
  /** PEM file of Devo's CA chain, used to verify the collector endpoint. */
  DEVO_CHAIN: nonEmpty.optional(),
  /** Devo tag, which selects the table @default cloud.office365.messagetracing */
  DEVO_TAG: z.string().regex(TAG_PATTERN, 'expected a dotted Devo tag such as cloud.office365.messagetracing').default('cloud.office365.messagetracing'),
  /** Hostname written into each syslog header @default this machine's hostname */
  DEVO_HOSTNAME: z.string().regex(/^\S+$/, 'expected a hostname without spaces').optional(),
  /** Records per confirmed syslog batch (one connection, half-close, EOF); also the duplicate bound @default 1000 */
  DEVO_BATCH_SIZE: integer(1, 100_000).default('1000'),
  /** HTTP ingestion base URL, e.g. https://http-us.devo.io */
  DEVO_HTTP_URL: url.optional(),
  /** HTTP ingestion token. */
  DEVO_HTTP_TOKEN: nonEmpty.optional(),
  /** File holding the HTTP ingestion token, instead of DEVO_HTTP_TOKEN. */
  DEVO_HTTP_TOKEN_FILE: nonEmpty.optional(),
  /** Devo domain for HTTP ingestion. */
  DEVO_DOMAIN: nonEmpty.optional(),

  /** Temporal frontend address; unset means `run` embeds a local dev server @default embedded */
  TEMPORAL_ADDRESS: nonEmpty.optional(),
  /** Temporal namespace @default default */
  TEMPORAL_NAMESPACE: nonEmpty.default(TEMPORAL_DEFAULTS.namespace),
  /** Task queue shared by all workers @default o365-message-trace */
  TEMPORAL_TASK_QUEUE: nonEmpty.default(TEMPORAL_DEFAULTS.taskQueue),

  /** Payload codec key, base64 of 32 bytes; the demo generates one. */
  PAYLOAD_KEY: z.string().optional(),
  /** File holding the payload codec key (base64), instead of PAYLOAD_KEY. */
  PAYLOAD_KEY_FILE: nonEmpty.optional(),
  /** Earlier payload keys, comma-separated base64 of 32 bytes each: still decrypt after a rotation, never encrypt. */
  PAYLOAD_KEY_PREVIOUS: z.string().optional(),
  /** File holding the earlier payload keys (comma- or line-separated base64), instead of PAYLOAD_KEY_PREVIOUS. */
  PAYLOAD_KEY_PREVIOUS_FILE: nonEmpty.optional(),
  /** Bearer token the codec server accepts (it decrypts on demand: it needs this or an OIDC issuer). */
  CODEC_SERVER_TOKEN: nonEmpty.optional(),
  /** File holding the codec server's bearer token, instead of CODEC_SERVER_TOKEN. */
  CODEC_SERVER_TOKEN_FILE: nonEmpty.optional(),
  /** OIDC issuer of the Temporal UI's sign-in: the codec server accepts the users' access tokens it signed. */
  CODEC_SERVER_OIDC_ISSUER: url.optional(),
  /** Audience the access tokens must name (the `aud` claim), checked when set. */
  CODEC_SERVER_OIDC_AUDIENCE: nonEmpty.optional(),
  /** Local state of the embedded mode: dev-server database, demo keys and certificates @default .data */
  O365_DATA_DIR: nonEmpty.default('.data'),
  /** A workflow bundle made by `npm run build:workflow`; workers then skip bundling at start (faster, less memory) */
  O365_WORKFLOW_BUNDLE: nonEmpty.refine((path) => existsSync(path), 'no such file; build it with npm run build:workflow').optional(),
  /** Where the worker serves Prometheus metrics, an IP and port such as 0.0.0.0:9464; unset = no endpoint */
  O365_METRICS_ADDRESS: z.string().refine(isSocketAddress, 'expected an IP address and port such as 0.0.0.0:9464 or [::]:9464').optional(),
  /** Base URL of the Temporal UI, e.g. https://cloud.temporal.io or http://temporal-ui:8080, for links in `status`; `run` knows its own */
  TEMPORAL_UI_URL: httpUrl('http://temporal-ui:8080').optional(),
  /** OTLP/HTTP collector base URL, e.g. http://otel-collector:4318; spans go to its /v1/traces. Unset: no tracing @default off */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('http://otel-collector:4318').optional(),
  /** Service name on the exported spans @default o365-message-trace */
  OTEL_SERVICE_NAME: nonEmpty.default('o365-message-trace'),
});

type Environment = z.infer<typeof environmentSchema>;
const KNOWN = new Set(Object.keys(environmentSchema.shape));
/** Every variable the schema knows, in table order (tests try each with a wrong value). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(environmentSchema.shape);
const OWN_PREFIXES = ['O365_', 'DEVO_', 'PAYLOAD_'];

export type { DevoConfig, MicrosoftConfig } from './types.js';

/** How to reach Temporal: address and namespace as resolved by the SDK's environment configuration. */
export interface TemporalConfig {
  readonly address?: string;
  readonly namespace: string;
  readonly taskQueue: string;
  /** TLS, API key and headers for a cluster or Temporal Cloud (holds the API key: never log it); absent: plain. */
  readonly connection?: TemporalConnection;
}

/** The whole, validated configuration. */
export interface Config {
  readonly microsoft: MicrosoftConfig;
  readonly devo: DevoConfig;
  readonly temporal: TemporalConfig;
  /** The codec key, when configured (32 bytes). */
  readonly payloadKey?: Buffer;
  /** Keys used before the current one (PAYLOAD_KEY_PREVIOUS): decryption only; absent or empty when none. */
  readonly previousPayloadKeys?: readonly Buffer[];
  readonly dataDir: string;
  readonly codecServerToken?: string;
  /** The UI's OIDC issuer (and audience) whose access tokens the codec server accepts. */
  readonly codecServerOidc?: { readonly issuer: string; readonly audience?: string };
  /** The tenants of O365_TENANTS_FILE, each completed from the environment; absent: the one O365_TENANT_ID. */
  readonly tenants?: readonly TenantConfig[];
  /** A prebuilt workflow bundle (O365_WORKFLOW_BUNDLE); absent: the worker bundles workflows/ at start. */
  readonly workflowBundlePath?: string;
  /** Bind address of the worker's Prometheus endpoint (`/metrics`); absent when metrics are off. */
  readonly metricsAddress?: string;
  /** True when no Microsoft credential is set: `run` then drives the built-in emulator. */
  readonly demo: boolean;
  /** Base URL of the Temporal UI (TEMPORAL_UI_URL), for links; absent: no link unless `run` embeds the UI. */
  readonly temporalUiUrl?: string;
  /** OpenTelemetry tracing over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT); absent: off. */
  readonly tracing?: { readonly endpoint: string; readonly serviceName: string };
}

/** What the command needs beyond its purpose: `server` makes a missing TEMPORAL_ADDRESS one more config line. */
export interface LoadOptions {
  /** Why TEMPORAL_ADDRESS is needed, e.g. "for `status`"; absent: it may be unset. */
  readonly serverNeededFor?: string;
}

/** Thrown with one line per bad setting; the CLI prints `lines` and exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly lines: string[]) {
    super(`invalid configuration:\n${lines.join('\n')}`);
  }
}

/** What the caller needs: a worker needs credentials; `run` may fall back to the demo; `codec` needs the payload key only. */
export type ConfigPurpose = 'worker' | 'client' | 'run' | 'codec';

/** Parses and validates the environment; throws ConfigError listing every bad setting at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, purpose: ConfigPurpose = 'worker', options: LoadOptions = {}): Config {
  const own = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && (KNOWN.has(k) || OWN_PREFIXES.some((p) => k.startsWith(p)))));
  const lines = Object.keys(own)
    .filter((k) => !KNOWN.has(k))
    .map((k) => `${k}: unknown setting${suggestion(k)} (see docs/configuration.md)`);
  lines.push(...readSecretFiles(own));
  // Refused rather than warned about: it would silently turn off certificate checks of every TLS client in
  // the process that does not pin them itself (the Temporal client, Devo HTTP ingestion).
  if (env.NODE_TLS_REJECT_UNAUTHORIZED === '0') lines.push('NODE_TLS_REJECT_UNAUTHORIZED: set to 0, which turns off TLS certificate checks; unset it (see DEVO_CHAIN for a private CA)');
  const parsed = parseEach(environmentSchema.shape, Object.fromEntries(Object.entries(own).filter(([k, v]) => KNOWN.has(k) && v !== '')));
  lines.push(...parsed.lines);
  // The values that parsed still go through the checks below, so every problem shows in one go.
  const e = parsed.data as Environment;
  const schemaFailed = parsed.lines.length > 0;
  const credentialNames = ['O365_TENANT_ID', 'O365_CLIENT_ID'] as const;
  const present = [...credentialNames, ...CREDENTIAL_VARIABLES].filter((n) => own[n]);
  const demo = purpose === 'run' && present.length === 0;
  // The codec server serves every tenant of the namespace: it needs the payload key only.
  const required = demo || own.O365_TENANTS_FILE || purpose === 'codec' ? [] : purpose === 'client' ? (['O365_TENANT_ID'] as const) : credentialNames;
  for (const name of required) if (!own[name]) lines.push(`${name}: required${purpose === 'run' ? ' (or set none of the O365 credentials to run the demo)' : ''}`);
  // Exactly one credential; only workers (and `run`) read the certificate's private key.
  const resolved = environmentCredential(own, { read: !demo && (purpose === 'worker' || purpose === 'run'), required: required === credentialNames });
  lines.push(...resolved.lines);
  if (e) lines.push(...crossChecks(e, demo || purpose === 'client' || purpose === 'codec'));
  // Workers and clients must share one codec key; only `run` may generate one into its data folder.
  if (e && purpose !== 'run' && !e.PAYLOAD_KEY && !e.PAYLOAD_KEY_FILE) {
    lines.push('PAYLOAD_KEY: required (base64 of 32 bytes, e.g. from openssl rand -base64 32), or PAYLOAD_KEY_FILE');
  }
  const payloadKey = e ? readPayloadKey(e, lines) : undefined;
  const previousPayloadKeys = e ? readPreviousPayloadKeys(e, lines) : [];
  const connection = temporalConnection(env, lines);
  if (options.serverNeededFor && connection && !connection.address) lines.push(`TEMPORAL_ADDRESS: required ${options.serverNeededFor} (only \`o365-trace run\` embeds a dev server)`);
  if (lines.length > 0 || schemaFailed || !connection) throw new ConfigError(lines);
  const built = { ...toConfig(e, demo, payloadKey, connection), previousPayloadKeys };
  const config = resolved.credential ? { ...built, microsoft: { ...built.microsoft, credential: resolved.credential } } : built;
  if (!e.O365_TENANTS_FILE) return config;
  // Only workers read the tenants' client secrets; a client never needs them.
  const loaded = loadTenantsFile(e.O365_TENANTS_FILE, config, env, { readSecrets: purpose === 'worker' || purpose === 'run', allowAnyEndpoint: e.O365_ALLOW_ANY_ENDPOINT === 'true' });
  if (!loaded.tenants) throw new ConfigError(loaded.lines.map((line) => `O365_TENANTS_FILE: ${line}`));
  return { ...config, tenants: loaded.tenants };
}

/** `; did you mean X?` for a misspelt variable name, or nothing. */
function suggestion(name: string): string {
  const near = closestName(name, KNOWN);
  return near ? `; did you mean ${near}?` : '';
}

function temporalConnection(env: NodeJS.ProcessEnv, lines: string[]): TemporalConnection | undefined {
  try {
    return resolveTemporalConnection(env);
  } catch (err) {
    lines.push(`Temporal connection: ${(err as Error).message}`);
    return undefined;
  }
}

function toConfig(e: Environment, demo: boolean, payloadKey: Buffer | undefined, connection: TemporalConnection): Config {
  return {
    microsoft: {
      tenantId: e.O365_TENANT_ID ?? 'demo-tenant',
      clientId: e.O365_CLIENT_ID ?? 'demo-client',
      clientSecret: e.O365_CLIENT_SECRET ?? 'demo-secret',
      source: e.O365_SOURCE,
      loginUrl: e.O365_LOGIN_URL,
      graphUrl: e.O365_GRAPH_URL,
      reportingUrl: e.O365_REPORTING_URL,
      start: e.O365_START,
      windowMs: e.O365_WINDOW,
      lagMs: e.O365_LAG,
      pageSize: e.O365_PAGE_SIZE,
      retentionMarginMs: e.O365_RETENTION_MARGIN,
    },
    devo: {
      transport: e.DEVO_TRANSPORT,
      address: e.DEVO_ADDRESS,
      port: e.DEVO_PORT,
      certPath: e.DEVO_CERT,
      keyPath: e.DEVO_KEY,
      chainPath: e.DEVO_CHAIN,
      tag: e.DEVO_TAG,
      hostname: e.DEVO_HOSTNAME ?? hostname(),
      batchSize: e.DEVO_BATCH_SIZE,
      httpUrl: e.DEVO_HTTP_URL,
      httpToken: e.DEVO_HTTP_TOKEN,
      domain: e.DEVO_DOMAIN,
    },
    // The SDK's environment configuration has the last word on address and namespace (env, then profile file).
    temporal: { address: connection.address, namespace: connection.namespace ?? e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE, connection },
    payloadKey,
    dataDir: e.O365_DATA_DIR,
    codecServerToken: e.CODEC_SERVER_TOKEN,
    codecServerOidc: e.CODEC_SERVER_OIDC_ISSUER ? { issuer: e.CODEC_SERVER_OIDC_ISSUER, audience: e.CODEC_SERVER_OIDC_AUDIENCE } : undefined,
    metricsAddress: e.O365_METRICS_ADDRESS,
    workflowBundlePath: e.O365_WORKFLOW_BUNDLE,
    demo,
    temporalUiUrl: e.TEMPORAL_UI_URL,
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME } : undefined,
  };
}
