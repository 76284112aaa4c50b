import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
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
    async deadLetter(records, context) {
      // One JSON line per record with why and from where, beside the worker's other local state.
      const dir = join(config.dataDir, 'dead-letter');
      await mkdir(dir, { recursive: true });
      const lines = records.map((record) => JSON.stringify({ ...context, at: new Date().toISOString(), record }) + '\n');
      await appendFile(join(dir, `${config.devo.tag}.jsonl`), lines.join(''), { mode: 0o600 });
    },
  };
}
