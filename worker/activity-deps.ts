import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config, DevoConfig } from '../config/schema.js';
import { DEFAULT_ACTIVITY_DEPS, ServedTenants, type ActivityDeps, type ServedTenant } from '../activities/deps.js';
import { PulledChunks } from '../activities/pulled-chunks.js';
import { createDevoTransport, type DevoTransport } from '../devo/transport.js';
import type { TenantConfig } from '../tenants/load.js';

/**
 * The real dependencies of the activities, from the worker's configuration: the one tenant of
 * O365_TENANT_ID, or every tenant of O365_TENANTS_FILE, each with its own secret and Devo route.
 */
export function activityDepsFromConfig(config: Config, devo: DevoTransport = createDevoTransport(config.devo)): ActivityDeps {
  return {
    ...DEFAULT_ACTIVITY_DEPS,
    tenants: new ServedTenants(servedTenants(config.tenants ?? [{ microsoft: config.microsoft, devo: config.devo }], config.devo, devo)),
    devo,
    devoHostname: config.devo.hostname,
    devoBatchSize: config.devo.batchSize,
    pulledChunks: new PulledChunks(),
    async deadLetter(records, context) {
      // One JSON line per record with why and from where, beside the worker's other local state.
      const dir = join(config.dataDir, 'dead-letter');
      await mkdir(dir, { recursive: true });
      const lines = records.map((record) => JSON.stringify({ ...context, at: new Date().toISOString(), record }) + '\n');
      await appendFile(join(dir, `${config.devo.tag}.jsonl`), lines.join(''), { mode: 0o600 });
    },
  };
}

/**
 * Each tenant's settings, tag and transport. Tenants on the default Devo domain share `devo`; a separate
 * domain (its own certificates or endpoint) gets one transport, shared by every tenant that names it.
 */
function servedTenants(tenants: readonly Pick<TenantConfig, 'microsoft' | 'devo'>[], defaults: DevoConfig, devo: DevoTransport): ServedTenant[] {
  const transports = new Map<string, DevoTransport>([[endpointKey(defaults), devo]]);
  return tenants.map((tenant) => {
    const key = endpointKey(tenant.devo);
    const transport = transports.get(key) ?? createDevoTransport(tenant.devo);
    transports.set(key, transport);
    return { microsoft: tenant.microsoft, devo: { transport, tag: tenant.devo.tag } };
  });
}

function endpointKey(devo: DevoConfig): string {
  return JSON.stringify([devo.transport, devo.address, devo.port, devo.certPath, devo.keyPath, devo.chainPath]);
}
