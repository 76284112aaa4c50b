import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../contracts/microsoft-limits.js';
import { parseDuration } from '../config/durations.js';
import { isReservedVariable } from './reserved-secrets.js';
import { tenantKey } from './tenant-id.js';

/**
 * The tenants file (`O365_TENANTS_FILE`, YAML or JSON): one entry per tenant with its app registration,
 * a reference to its client secret (never the secret itself), its source, Microsoft URLs, Devo routing and
 * collection settings. Whatever an entry leaves out comes from the environment (`O365_*`, `DEVO_*`).
 */

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const url = z.string().url('expected an absolute URL such as https://graph.microsoft.com').transform((u) => u.replace(/\/+$/, ''));
const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 30s, 5m, 2h or 7d, got '${text}'` });
    return z.NEVER;
  }
  return ms;
});

const secretEnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable, such as CONTOSO_CLIENT_SECRET')
  .refine((name) => !isReservedVariable(name), "pick a name without the O365_, DEVO_, PAYLOAD_, CODEC_ or TEMPORAL_ prefix: those are this process's own settings (payload key, codec token, Temporal API key), never a tenant's secret");

const devoRouting = z
  .object({
    /** Appended to DEVO_TAG as more levels: `cloud.office365.messagetracing.<tagSuffix>`. */
    tagSuffix: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'expected tag levels such as contoso or eu.contoso').optional(),
    /** A separate Devo domain: its certificate, key and Devo's CA chain (PEM file paths), all three. */
    cert: nonEmpty.optional(),
    key: nonEmpty.optional(),
    chain: nonEmpty.optional(),
    /** That domain's collector endpoint, when it is in another region than DEVO_ADDRESS. */
    address: nonEmpty.optional(),
    port: z.number().int().min(1).max(65535).optional(),
  })
  .strict()
  .superRefine((devo, ctx) => {
    const given = (['cert', 'key', 'chain'] as const).filter((k) => devo[k] !== undefined);
    if (given.length > 0 && given.length < 3) {
      for (const k of (['cert', 'key', 'chain'] as const).filter((k) => devo[k] === undefined)) {
        ctx.addIssue({ code: 'custom', path: [k], message: 'a separate Devo domain needs cert, key and chain together' });
      }
    }
  });

const budget = z
  .object({
    requests: z.number().int().min(1),
    window: duration,
    liveReserve: z.number().int().min(0),
  })
  .strict()
  .refine((b) => b.liveReserve < b.requests, { message: 'liveReserve must be less than requests', path: ['liveReserve'] });

/** The keys that each configure one credential of a tenant; exactly one is set. */
const CREDENTIAL_KEYS = ['clientSecretEnv', 'clientSecretFile', 'clientCertificateFile', 'federatedTokenFile'] as const;

const tenant = z
  .object({
    tenantId: nonEmpty,
    clientId: nonEmpty,
    /** Declared only to refuse it with a message that says what to do instead. */
    clientSecret: z.unknown().optional(),
    clientSecretEnv: secretEnvName.optional(),
    clientSecretFile: nonEmpty.optional(),
    /** PEM file with the app's certificate and private key, read by workers (instead of a client secret). */
    clientCertificateFile: nonEmpty.optional(),
    /** Environment variable holding the password of that file's encrypted private key. */
    clientCertificatePasswordEnv: secretEnvName.optional(),
    /** File with a federated token (workload identity federation), read afresh for every token request. */
    federatedTokenFile: nonEmpty.optional(),
    source: z.enum(['graph', 'reporting']).optional(),
    loginUrl: url.optional(),
    graphUrl: url.optional(),
    reportingUrl: url.optional(),
    devo: devoRouting.optional(),
    start: z.string().optional(),
    window: duration.optional(),
    lag: duration.optional(),
    pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
    budget: budget.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.clientSecret !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['clientSecret'], message: 'secrets never go in the tenants file; name an environment variable (clientSecretEnv) or a file (clientSecretFile) instead' });
      return;
    }
    // Exactly one credential per tenant: a second one would leave which one is used to chance.
    const set = CREDENTIAL_KEYS.filter((key) => t[key] !== undefined);
    if (set.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['clientSecretEnv'], message: 'set exactly one of clientSecretEnv (a variable name), clientSecretFile, clientCertificateFile or federatedTokenFile (file paths)' });
    } else if (set.length > 1) {
      ctx.addIssue({ code: 'custom', path: [set[0]!], message: `set exactly one of clientSecretEnv, clientSecretFile, clientCertificateFile or federatedTokenFile: ${set.join(' and ')} ${set.length === 2 ? 'are both set' : 'are all set'}` });
    }
    if (t.clientCertificatePasswordEnv !== undefined && t.clientCertificateFile === undefined) {
      ctx.addIssue({ code: 'custom', path: ['clientCertificatePasswordEnv'], message: 'set without clientCertificateFile' });
    }
  });

export const tenantsFileSchema = z.object({ tenants: z.array(tenant).min(1, 'list at least one tenant') }).strict();

/** A tenant listed twice, checked on the raw file so it shows beside any other problem. */
export function duplicateTenants(raw: unknown): string[] {
  const tenants = (raw as { tenants?: unknown } | null)?.tenants;
  if (!Array.isArray(tenants)) return [];
  const seen = new Set<string>();
  return tenants.flatMap((t: { tenantId?: unknown } | null, i) => {
    const id = t?.tenantId;
    if (typeof id !== 'string' || !id.trim()) return [];
    // Case-insensitive: T2 and t2 are the same tenant.
    const twice = seen.has(tenantKey(id));
    seen.add(tenantKey(id));
    return twice ? [`tenant ${id} (#${i + 1}) tenantId: listed twice (tenant ids are compared ignoring case); one collector per tenant`] : [];
  });
}

export type TenantsFile = z.infer<typeof tenantsFileSchema>;
export type TenantEntry = TenantsFile['tenants'][number];

/** One line per zod issue, naming the tenant (its id, else its position) and the field. */
export function issueLines(issues: z.ZodIssue[], raw: unknown): string[] {
  return issues.map((issue) => {
    const [top, index, ...field] = issue.path;
    if (top !== 'tenants' || typeof index !== 'number') return `${issue.path.join('.') || '(file)'}: ${issue.message}`;
    const id = (raw as { tenants?: Array<{ tenantId?: unknown }> }).tenants?.[index]?.tenantId;
    const label = typeof id === 'string' && id.trim() ? `${id} (#${index + 1})` : `#${index + 1}`;
    return `tenant ${label} ${field.join('.') || '(entry)'}: ${issue.message}`;
  });
}
