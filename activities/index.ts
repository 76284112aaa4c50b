import type { ActivityDeps } from './deps.js';
import { fetchTokenActivity } from './fetch-token.js';
import { pullPageActivity } from './pull-page.js';
import { sendToDevoActivity } from './send-to-devo.js';

export type { ActivityDeps } from './deps.js';

/** Every activity the worker registers, bound to its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    fetchToken: fetchTokenActivity(deps),
    pullPage: pullPageActivity(deps),
    sendToDevo: sendToDevoActivity(deps),
  };
}

export type CollectorActivities = ReturnType<typeof createActivities>;
