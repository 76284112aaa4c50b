import { DEFAULT_ACTIVITY_DEPS, ServedTenants, type ActivityDeps } from '../../activities/deps.js';
import type { MicrosoftConfig } from '../../config/schema.js';
import type { DevoTransport } from '../../devo/transport.js';

/** The tenant the sendToDevo tests send for, unless they say otherwise. */
export const TEST_TENANT = 't';
export const TEST_TAG = 'cloud.office365.messagetracing';

/** Microsoft settings of a served tenant for tests that make no Microsoft call (the URL resolves nowhere). */
export function unusedMicrosoft(tenantId: string, overrides: Partial<MicrosoftConfig> = {}): MicrosoftConfig {
  const url = 'https://microsoft.invalid';
  return { tenantId, clientId: 'c', clientSecret: 's', source: 'graph', loginUrl: url, graphUrl: url, reportingUrl: url, start: '1h', windowMs: 300_000, lagMs: 900_000, pageSize: 1000, retentionMarginMs: 3_600_000, ...overrides };
}

/** Activity dependencies for testing sendToDevo alone: one served tenant sending to a given transport, no cancellation. */
export function devoActivityDeps(devo: DevoTransport, overrides: Partial<ActivityDeps> = {}, tenantId = TEST_TENANT): ActivityDeps {
  return {
    ...DEFAULT_ACTIVITY_DEPS,
    signal: () => new AbortController().signal,
    tenants: new ServedTenants([{ microsoft: unusedMicrosoft(tenantId), devo: { transport: devo, tag: TEST_TAG } }]),
    devo,
    devoHostname: 'collector-1',
    devoBatchSize: 1000,
    deadLetter: async () => undefined,
    ...overrides,
  };
}
