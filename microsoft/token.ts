import { JWT_BEARER } from './client-assertion.js';
import { ClientAssertionRejectedError, CredentialsRejectedError, MalformedResponseError, MicrosoftUnavailableError, ThrottledError } from './errors.js';
import { describe, readBounded } from './http.js';
import { parseRetryAfter } from './retry-after.js';
import { safeText } from './safe-text.js';

/** The Reporting Web Service only accepts tokens for this resource, whatever the login host (docs/sources.md#rws-auth). */
export const REPORTING_RESOURCE = 'https://outlook.office365.com';

/**
 * Largest token response read, after decoding. A token answer is a JWT of 1 to 4 KB and a few fields;
 * 64 KiB is far more than any, and keeps a broken or hostile endpoint from making the worker buffer more.
 */
export const MAX_TOKEN_BODY_BYTES = 64 * 1024;

/**
 * The lifetimes a token is taken to have, whatever `expires_in` says. Microsoft's access tokens live
 * 60 to 90 minutes by default, and a token lifetime policy can set 10 minutes to 1 day
 * (https://learn.microsoft.com/en-us/entra/identity-platform/configurable-token-lifetimes). Outside that
 * range the answer is wrong: a huge value is no date at all (1e13 s), a negative or tiny one would
 * fetch a token before every pull. Clamped, a token shorter-lived than it claims is refused by the API
 * (401), and the workflow then fetches a fresh one.
 */
export const TOKEN_LIFETIME_RANGE_S = { min: 10 * 60, max: 24 * 60 * 60 } as const;

/** OAuth error codes are short words (`invalid_client`); anything longer is cut. */
const MAX_OAUTH_ERROR_CHARS = 100;

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
 * with it do (docs/sources.md#rws-auth). v1 answers its numbers as strings, v2 as numbers: both are accepted.
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
  const response = await readBounded(url, { method: 'POST', form, signal }, MAX_TOKEN_BODY_BYTES, what);
  const body = safeJson(response.body) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;
  if (response.statusCode === 429) throw new ThrottledError(`${what}: 429`, parseRetryAfter(response.headers['retry-after'], nowMs));
  if (response.statusCode >= 500) throw new MicrosoftUnavailableError(`${what}: ${response.statusCode}`, response.statusCode);
  if (response.statusCode >= 400) {
    // AADSTS codes are the operator's best hint (e.g. AADSTS7000215 wrong secret, AADSTS700016 unknown app).
    const code = /AADSTS\d+/.exec(String(body?.error_description ?? ''))?.[0];
    const error = safeText(body?.error, MAX_OAUTH_ERROR_CHARS);
    const assertion = request.clientAssertion;
    if (assertion) {
      const refused = `${what}: ${response.statusCode}${error ? ` ${error}` : ''}${code ? ` ${code}` : ''}`;
      throw new ClientAssertionRejectedError(`${refused}: Entra ID refused the ${assertion.kind === 'certificate' ? 'client certificate' : 'federated token'} of ${assertion.setting}`, response.statusCode, assertion.kind);
    }
    throw new CredentialsRejectedError(
      `${what}: ${response.statusCode}${error ? ` ${error}` : ''}${code ? ` ${code}` : ''}: check O365_TENANT_ID, O365_CLIENT_ID and O365_CLIENT_SECRET (the secret's value, not its id)`,
      response.statusCode,
    );
  }
  const expiresIn = Number(body?.expires_in);
  if (typeof body?.access_token !== 'string' || !Number.isFinite(expiresIn)) {
    throw new MalformedResponseError(`${what}: ${response.statusCode} without access_token and expires_in`, response.statusCode);
  }
  const lifetimeS = Math.min(Math.max(expiresIn, TOKEN_LIFETIME_RANGE_S.min), TOKEN_LIFETIME_RANGE_S.max);
  return { accessToken: body.access_token, expiresAtMs: nowMs + lifetimeS * 1000 };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
