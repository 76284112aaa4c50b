import type { AssertionVerifier } from './client-assertions.js';
import { aadError } from './errors.js';
import { jsonReply, type ApiRequest, type Reply } from './http.js';
import { REPORTING_RESOURCE, type Audience, type TokenStore } from './tokens.js';

/** What the token endpoints need: the one accepted app registration and where tokens are kept. */
export interface IdentityContext {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The app's registered certificates and federated credentials, for `client_assertion`. */
  readonly assertions: AssertionVerifier;
  readonly tokens: TokenStore;
  readonly lifetimeSeconds: number;
  readonly now: () => number;
}

const NO_STORE = { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' };
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * `POST /{tenant}/oauth2/token` (v1, `resource=`) and `POST /{tenant}/oauth2/v2.0/token` (v2, `scope=`),
 * client-credentials grant only (docs/sources.md#rws-auth). Every tenant id is accepted; the client id
 * and secret must match. The audience decides which API accepts the token: `https://outlook.office365.com`
 * gives a Reporting Web Service token, any other resource or `…/.default` scope a Graph token.
 */
export async function handleTokenRequest(req: ApiRequest, tenant: string, version: 'v1' | 'v2', ctx: IdentityContext): Promise<Reply> {
  const form = new URLSearchParams(req.body);
  const now = ctx.now();
  const missing = (name: string): Reply =>
    aadError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`, now);
  const grantType = form.get('grant_type');
  if (!grantType) return missing('grant_type');
  const basic = basicCredentials(req.headers.authorization);
  const clientId = form.get('client_id') ?? basic?.id;
  if (!clientId) return missing('client_id');
  if (grantType !== 'client_credentials') {
    return aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`, now);
  }
  if (clientId !== ctx.clientId) {
    return aadError(
      400, 'unauthorized_client', 700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      now,
    );
  }
  const assertionType = form.get('client_assertion_type');
  const assertion = form.get('client_assertion');
  if (assertionType !== null || assertion !== null) {
    if (assertionType !== JWT_BEARER) return missing('client_assertion_type');
    if (!assertion) return missing('client_assertion');
    const refusal = await ctx.assertions.verify(assertion, clientId, tokenUrls(req), now);
    if (refusal) return aadError(refusal.code === 700027 ? 401 : 400, 'invalid_client', refusal.code, refusal.text, now);
    return version === 'v1' ? v1Token(form, tenant, ctx, missing) : v2Token(form, tenant, ctx, missing);
  }
  const secret = form.get('client_secret') ?? basic?.secret;
  if (!secret) return aadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", now);
  if (secret !== ctx.clientSecret) {
    return aadError(
      401, 'invalid_client', 7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      now,
    );
  }
  return version === 'v1' ? v1Token(form, tenant, ctx, missing) : v2Token(form, tenant, ctx, missing);
}

/** The token endpoint URLs an assertion's `aud` may name: the one called first, then its v1/v2 sibling [I]. */
function tokenUrls(req: ApiRequest): string[] {
  const base = `${req.url.origin}${req.url.pathname.replace(/\/oauth2\/(v2\.0\/)?token\/?$/, '')}`;
  const urls = [`${base}/oauth2/v2.0/token`, `${base}/oauth2/token`];
  return req.url.pathname.includes('/v2.0/') ? urls : urls.reverse();
}

/** v1 answers its numbers as strings (docs/sources.md#rws-auth). */
function v1Token(form: URLSearchParams, tenant: string, ctx: IdentityContext, missing: (name: string) => Reply): Reply {
  const resource = form.get('resource');
  if (!resource) return missing('resource');
  const audience: Audience = resource.replace(/\/+$/, '') === REPORTING_RESOURCE ? 'reporting' : 'graph';
  const { token, issuedAtMs, expiresAtMs } = ctx.tokens.issue(audience, tenant, ctx.lifetimeSeconds);
  const seconds = String(ctx.lifetimeSeconds);
  return jsonReply(
    200,
    {
      token_type: 'Bearer',
      expires_in: seconds,
      ext_expires_in: seconds,
      expires_on: String(Math.floor(expiresAtMs / 1000)),
      not_before: String(Math.floor(issuedAtMs / 1000)),
      resource,
      access_token: token,
    },
    NO_STORE,
  );
}

/** v2 answers numbers as numbers and insists on a `…/.default` scope for client credentials. */
function v2Token(form: URLSearchParams, tenant: string, ctx: IdentityContext, missing: (name: string) => Reply): Reply {
  const scope = form.get('scope');
  if (!scope) return missing('scope');
  const scopes = scope.split(/\s+/).filter(Boolean);
  const resource = scopes.find((s) => s.endsWith('/.default'));
  if (!resource || scopes.length !== 1) {
    return aadError(
      400, 'invalid_scope', 1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      ctx.now(),
    );
  }
  const audience: Audience = resource.slice(0, -'/.default'.length).replace(/\/+$/, '') === REPORTING_RESOURCE ? 'reporting' : 'graph';
  const { token } = ctx.tokens.issue(audience, tenant, ctx.lifetimeSeconds);
  return jsonReply(200, { token_type: 'Bearer', expires_in: ctx.lifetimeSeconds, ext_expires_in: ctx.lifetimeSeconds, access_token: token }, NO_STORE);
}

/** client_secret_basic: the app id and secret in an HTTP Basic header, which Entra ID also accepts. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const [id, ...rest] = Buffer.from(match[1]!, 'base64').toString('utf8').split(':');
  return id ? { id: formDecode(id), secret: formDecode(rest.join(':')) } : undefined;
}

/** RFC 6749 §2.3.1 form-encodes both parts; a malformed escape is taken literally. */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
