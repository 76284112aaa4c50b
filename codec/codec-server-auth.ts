import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

/**
 * Who may call the codec server. It decrypts on demand, so it is as sensitive as the payload key
 * (https://docs.temporal.io/production-deployment/data-encryption): without a token or an OIDC issuer it
 * refuses to start, unless anonymous access is asked for explicitly on a loopback address.
 */
export interface CodecServerAccess {
  /** Static token: requests carry `Authorization: Bearer <token>` (the Temporal CLI's `--codec-auth`). */
  readonly bearerToken?: string;
  /**
   * The Temporal UI's OIDC sign-in: with `TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true` the UI sends the user's
   * access token as a bearer token; it is accepted when it is a JWT signed by a key of this issuer's JWKS,
   * names this issuer and, when set, this audience, and has not expired.
   */
  readonly oidc?: { readonly issuer: string; readonly audience?: string };
  /** Serve anyone: refused unless the server listens on a loopback address (the `run` demo, tests). */
  readonly allowAnonymous?: boolean;
}

/** A codec server setting that would leave it open, refused at start. */
export class CodecServerAccessError extends Error {
  override name = 'CodecServerAccessError';
}

/** Checks the `Authorization` header of one request. */
export type Authorize = (authorization: string | undefined) => Promise<boolean>;

/** The request check for these settings; throws CodecServerAccessError when they would leave the server open. */
export async function createAuthorizer(access: CodecServerAccess, host: string): Promise<Authorize> {
  const { bearerToken, oidc, allowAnonymous } = access;
  if (allowAnonymous) {
    if (!isLoopback(host)) throw new CodecServerAccessError(`anonymous access is allowed on a loopback address only, not on ${host}: set CODEC_SERVER_TOKEN or CODEC_SERVER_OIDC_ISSUER`);
    return async () => true;
  }
  if (!bearerToken && !oidc) throw new CodecServerAccessError('the codec server decrypts for whoever calls it: set CODEC_SERVER_TOKEN (or _FILE) or CODEC_SERVER_OIDC_ISSUER');
  const verifyJwt = oidc ? await oidcVerifier(oidc.issuer, oidc.audience) : undefined;
  return async (authorization) => {
    const match = /^Bearer ([^\s]+)$/i.exec(authorization ?? '');
    if (!match) return false;
    if (bearerToken && sameText(match[1]!, bearerToken)) return true;
    return verifyJwt ? verifyJwt(match[1]!) : false;
  };
}

/** True for 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Finds the issuer's JWKS through its discovery document (OpenID Connect Discovery 1.0, section 4). */
async function oidcVerifier(issuer: string, audience: string | undefined): Promise<(jwt: string) => Promise<boolean>> {
  const discovery = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(discovery, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new CodecServerAccessError(`OIDC discovery at ${discovery} answered ${response.status}`);
  const document = (await response.json()) as { issuer?: string; jwks_uri?: string };
  if (!document.jwks_uri) throw new CodecServerAccessError(`OIDC discovery at ${discovery} names no jwks_uri`);
  const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(document.jwks_uri));
  return async (jwt) => {
    try {
      await jwtVerify(jwt, keys, { issuer: document.issuer ?? issuer, ...(audience ? { audience } : {}) });
      return true;
    } catch {
      return false;
    }
  };
}
