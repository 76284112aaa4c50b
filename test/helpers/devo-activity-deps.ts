import { DEFAULT_ACTIVITY_DEPS, type ActivityDeps } from '../../activities/deps.js';
import type { DevoTransport } from '../../devo/transport.js';

/** Activity dependencies for testing sendToDevo alone: a given transport, no Microsoft, no cancellation. */
export function devoActivityDeps(devo: DevoTransport, overrides: Partial<ActivityDeps> = {}): ActivityDeps {
  return {
    ...DEFAULT_ACTIVITY_DEPS,
    signal: () => new AbortController().signal,
    microsoftFor: () => {
      throw new Error('sendToDevo tests use no Microsoft tenant');
    },
    devo,
    devoTag: 'cloud.office365.messagetracing',
    devoHostname: 'collector-1',
    devoBatchSize: 1000,
    deadLetter: async () => undefined,
    ...overrides,
  };
}
