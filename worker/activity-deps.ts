import type { Config } from '../config/schema.js';
import { DEFAULT_ACTIVITY_DEPS, singleTenant, type ActivityDeps } from '../activities/deps.js';
import { createDevoTransport, type DevoTransport } from '../devo/transport.js';

/** The real dependencies of the activities, from the worker's configuration. */
export function activityDepsFromConfig(config: Config, devo: DevoTransport = createDevoTransport(config.devo)): ActivityDeps {
  return {
    ...DEFAULT_ACTIVITY_DEPS,
    microsoftFor: singleTenant(config.microsoft),
    devo,
    devoTag: config.devo.tag,
    devoHostname: config.devo.hostname,
    devoBatchSize: config.devo.batchSize,
  };
}
