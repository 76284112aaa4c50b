import { log } from '@temporalio/activity';
import { clientAssertionFor, credentialInfo, type CredentialInfo } from '../microsoft/client-credential.js';
import { requestToken, type AccessToken } from '../microsoft/token.js';
import type { ActivityDeps } from './deps.js';
import { withFailureTypes } from './failures.js';
import type { FetchTokenInput } from '../contracts/activity-io.js';

/** A token and the public facts of the credential it was fetched with (kind, setting, certificate end). */
export type FetchedToken = AccessToken & { readonly credential?: CredentialInfo };

/**
 * OAuth2 client credentials for the tenant: a client secret, a certificate's signed assertion or a
 * federated token, all from the worker's own configuration.
 */
export function fetchTokenActivity(deps: ActivityDeps) {
  return async function fetchToken(input: FetchTokenInput): Promise<FetchedToken> {
    return withFailureTypes(async () => {
      const ms = deps.tenants.get(input.tenantId).microsoft;
      const credential = credentialInfo(ms.credential);
      log.info('token requested', { tenantId: input.tenantId, source: input.source, credential: credential.kind });
      const clientAssertion = clientAssertionFor(ms.credential, ms.clientId, deps.now());
      const token = await requestToken({ ...ms, source: input.source, clientAssertion }, deps.now(), deps.signal());
      log.info('token received', { expiresAt: new Date(token.expiresAtMs).toISOString() });
      return { ...token, credential };
    }, deps);
  };
}
