import { log } from '@temporalio/activity';
import { requestToken, type AccessToken } from '../microsoft/token.js';
import type { ActivityDeps } from './deps.js';
import { withFailureTypes } from './failures.js';
import type { FetchTokenInput } from './types.js';

/** OAuth2 client credentials for the tenant; the secret comes from the worker's own configuration. */
export function fetchTokenActivity(deps: ActivityDeps) {
  return async function fetchToken(input: FetchTokenInput): Promise<AccessToken> {
    return withFailureTypes(async () => {
      const ms = deps.tenants.get(input.tenantId).microsoft;
      log.info('token requested', { tenantId: input.tenantId, source: input.source });
      const token = await requestToken({ ...ms, source: input.source }, deps.now(), deps.signal());
      log.info('token received', { expiresAt: new Date(token.expiresAtMs).toISOString() });
      return token;
    }, deps);
  };
}
