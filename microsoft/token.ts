import { JWT_BEARER } from './client-assertion.js';
import { ClientAssertionRejectedError, CredentialsRejectedError, MalformedResponseError, MicrosoftUnavailableError, ThrottledError } from './errors.js';
import { describe, microsoftHttp } from './http.js';
import { parseRetryAfter } from './retry-after.js';

/** The Reporting Web Service only accepts tokens for this resource, whatever the login host (reference §1.8). */
export const REPORTING_RESOURCE = 'https://outlook.office365.com';

/** What fetchToken needs: never more than the app registration and the endpoints. */
export interface TokenRequest {
  readonly loginUrl: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly source: 'graph' | 'reporting';
  readonly graphUrl: string;
  /** A certificate or federated credential: its assertion is sent instead of `clientSecret`. */
  readonly clientAssertion?: ClientAssertion;
}

/** A client assertion to send (certificate or federated token), made for the token endpoint's URL. */
export interface ClientAssertion {
  readonly kind: 'certificate' | 'federated';
  /** Where the credential is configured, named in a refusal so the operator knows what to renew. */
  readonly setting: string;
  /** The assertion for `tokenUrl`, which a signed one carries as its `aud`. */
  readonly sign: (tokenUrl: string) => Promise<string>;
}

/** An access token and when it stops being valid. */
export interface AccessToken {
  readonly accessToken: string;
  readonly expiresAtMs: number;
}

/**
 * OAuth2 client credentials. Graph uses the v2 endpoint with scope `{graph}/.default`; the Reporting Web
 * Service uses the v1 endpoint with `resource=https://outlook.office365.com`, as the collectors that work
 * with it do (reference §1.8). v1 answers its numbers as strings, v2 as numbers: both are accepted.
 */
export async function requestToken(request: TokenRequest, nowMs: number, signal?: AbortSignal): Promise<AccessToken> {
  const v2 = request.source === 'graph';
  const url = `${request.loginUrl}/${encodeURIComponent(request.tenantId)}/oauth2/${v2 ? 'v2.0/' : ''}token`;
  const what = describe('POST', url);
  const form: Record<string, string> = {
    grant_type: 'client_credentials',
    client_id: request.clientId,
    ...(request.clientAssertion
      ? { client_assertion_type: JWT_BEARER, client_assertion: await request.clientAssertion.sign(url) }
      : { client_secret: request.clientSecret }),
    ...(v2 ? { scope: `${request.graphUrl}/.default` } : { resource: REPORTING_RESOURCE }),
  };
  const response = await microsoftHttp.post(url, { form, signal });
  const body = safeJson(response.body) as { access_token?: unknown; expires_in?: unknown; error?: string; error_description?: string } | undefined;
  if (response.statusCode === 429) throw new ThrottledError(`${what}: 429`, parseRetryAfter(response.headers['retry-after'], nowMs));
  if (response.statusCode >= 500) throw new MicrosoftUnavailableError(`${what}: ${response.statusCode}`, response.statusCode);
  if (response.statusCode >= 400) {
    // AADSTS codes are the operator's best hint (e.g. AADSTS7000215 wrong secret, AADSTS700016 unknown app).
    const code = /AADSTS\d+/.exec(body?.error_description ?? '')?.[0];
    const assertion = request.clientAssertion;
    if (assertion) {
      const refused = `${what}: ${response.statusCode} ${body?.error ?? ''}${code ? ` ${code}` : ''}`;
      throw new ClientAssertionRejectedError(`${refused}: Entra ID refused the ${assertion.kind === 'certificate' ? 'client certificate' : 'federated token'} of ${assertion.setting}`, response.statusCode, assertion.kind);
    }
    throw new CredentialsRejectedError(
      `${what}: ${response.statusCode} ${body?.error ?? ''}${code ? ` ${code}` : ''}: check O365_TENANT_ID, O365_CLIENT_ID and O365_CLIENT_SECRET (the secret's value, not its id)`,
      response.statusCode,
    );
  }
  const expiresIn = Number(body?.expires_in);
  if (typeof body?.access_token !== 'string' || !Number.isFinite(expiresIn)) {
    throw new MalformedResponseError(`${what}: ${response.statusCode} without access_token and expires_in`, response.statusCode);
  }
  return { accessToken: body.access_token, expiresAtMs: nowMs + expiresIn * 1000 };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
