import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';

/**
 * Client assertions as Entra ID checks them (client_assertion_type jwt-bearer): a JWT signed by a
 * certificate registered on the app (https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials),
 * or a token from an external issuer that a federated identity credential trusts
 * (https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation).
 * Each refusal carries the AADSTS code of https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes:
 * 700027 signature or key, 700024 outside the valid time, 700021 iss or sub not the client id, 700023 an
 * audience other than the token endpoint (the codes Azure SDK's troubleshooting lists for client assertions:
 * https://learn.microsoft.com/en-us/azure/developer/java/sdk/troubleshooting-authentication-service-principal),
 * 50027 a JWT otherwise invalid (no `jti`, or a replayed one: which code Entra answers a replay with is not
 * documented),
 * 700211/700212/700213 no federated credential for the issuer, audience or subject.
 */

/** The audience every federated identity credential uses by default. */
export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

/** A federated identity credential of the app: whose tokens are accepted as its assertion. */
export interface FederatedCredentialOptions {
  readonly issuer: string;
  readonly subject: string;
  /** @default api://AzureADTokenExchange */
  readonly audience?: string;
  /** The issuer's signing key, as a PEM public key or certificate (what its JWKS would serve). */
  readonly publicKeyPem: string;
}

/** Why an assertion was refused: the AADSTS code and Microsoft's kind of wording. */
export interface AssertionRefusal {
  readonly code: number;
  readonly text: string;
}

/** Entra accepts a little clock skew on `nbf` and `exp`. */
const SKEW_SECONDS = 300;
const ALGORITHMS = ['RS256', 'PS256'];

interface RegisteredKey {
  readonly key: KeyObject;
  readonly x5tS256: string;
  readonly x5t: string;
}

/** The app's registered certificates and federated credentials, and the `jti`s already used. */
export class AssertionVerifier {
  private readonly certificates: RegisteredKey[] = [];
  private readonly federated: Array<{ options: FederatedCredentialOptions; key: KeyObject }> = [];
  /** jti → when the assertion expires; kept until then, as a replay only matters while it would be valid. */
  private readonly usedJti = new Map<string, number>();

  /** Registers a certificate (PEM) for the app, as uploading it under Certificates & secrets does. */
  registerCertificate(pem: string): void {
    const certificate = new X509Certificate(pem);
    this.certificates.push({
      key: certificate.publicKey,
      x5tS256: createHash('sha256').update(certificate.raw).digest('base64url'),
      x5t: createHash('sha1').update(certificate.raw).digest('base64url'),
    });
  }

  /** Adds a federated identity credential to the app. */
  registerFederatedCredential(options: FederatedCredentialOptions): void {
    const key = options.publicKeyPem.includes('CERTIFICATE') ? new X509Certificate(options.publicKeyPem).publicKey : createPublicKey(options.publicKeyPem);
    this.federated.push({ options, key });
  }

  /**
   * Checks an assertion for the app `clientId`, sent to one of `tokenUrls`; undefined when accepted.
   * A JWT whose issuer is the app itself is a certificate assertion; any other issuer must be trusted by a
   * federated credential.
   */
  async verify(assertion: string, clientId: string, tokenUrls: readonly string[], nowMs: number): Promise<AssertionRefusal | undefined> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(assertion);
      claims = decodeJwt(assertion);
    } catch {
      return { code: 50027, text: 'JWT token is invalid or malformed.' };
    }
    const now = Math.floor(nowMs / 1000);
    if (claims.iss !== clientId && this.federated.some((f) => f.options.issuer === claims.iss)) return this.verifyFederated(assertion, claims, now);
    if (claims.iss !== clientId && header['x5t#S256'] === undefined && header.x5t === undefined) {
      return { code: 700211, text: `No matching federated identity record found for presented assertion issuer '${String(claims.iss)}'. Please note that the matching is done using a case-sensitive comparison.` };
    }
    const thumbprint = String(header['x5t#S256'] ?? header.x5t ?? '');
    const registered = this.certificates.find((c) => c.x5tS256 === header['x5t#S256'] || (header['x5t#S256'] === undefined && c.x5t === header.x5t));
    if (!registered) return { code: 700027, text: `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal to see configured keys for app Id '${clientId}'.]` };
    if (!(await signedBy(assertion, registered.key))) {
      return { code: 700027, text: 'Client assertion contains an invalid signature. [Reason - The key was found, but use of the key to verify the signature failed.]' };
    }
    if (claims.iss !== clientId || claims.sub !== clientId) return { code: 700021, text: `Client assertion application identifier doesn't match 'client_id' parameter. The client assertion's iss and sub must both be the client id '${clientId}'.` };
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
    if (!audiences.some((a) => tokenUrls.includes(a))) return { code: 700023, text: `Client assertion audience claim does not match Realm issuer. It has an unexpected audience; it must be the token endpoint '${tokenUrls[0]}'.` };
    const outside = timeRangeRefusal(claims, now);
    if (outside) return outside;
    if (typeof claims.jti !== 'string' || !claims.jti) return { code: 50027, text: 'Invalid JWT token. The client assertion has no jti claim.' };
    this.forgetExpired(now);
    if (this.usedJti.has(claims.jti)) return { code: 50027, text: `Invalid JWT token. The client assertion with jti '${claims.jti}' was already used.` };
    this.usedJti.set(claims.jti, claims.exp!);
    return undefined;
  }

  /** A federated token: signed by the trusted issuer, for the credential's audience and subject, in time. Reusable until it expires. */
  private async verifyFederated(assertion: string, claims: JWTPayload, now: number): Promise<AssertionRefusal | undefined> {
    const candidates = this.federated.filter((f) => f.options.issuer === claims.iss);
    let signed = false;
    for (const candidate of candidates) if (await signedBy(assertion, candidate.key)) signed = true;
    if (!signed) return { code: 700027, text: `Client assertion contains an invalid signature. [Reason - The key was not found in the keys of issuer '${String(claims.iss)}'.]` };
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
    const forAudience = candidates.filter((f) => audiences.includes(f.options.audience ?? FEDERATION_AUDIENCE));
    if (forAudience.length === 0) return { code: 700212, text: `No matching federated identity record found for presented assertion audience '${audiences.join(',')}'.` };
    if (!forAudience.some((f) => f.options.subject === claims.sub)) {
      return { code: 700213, text: `No matching federated identity record found for presented assertion subject '${String(claims.sub)}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.` };
    }
    return timeRangeRefusal(claims, now);
  }

  private forgetExpired(now: number): void {
    for (const [jti, exp] of this.usedJti) if (exp + SKEW_SECONDS < now) this.usedJti.delete(jti);
  }
}

function timeRangeRefusal(claims: JWTPayload, now: number): AssertionRefusal | undefined {
  const { nbf, exp } = claims;
  if (typeof exp === 'number' && exp + SKEW_SECONDS >= now && (nbf === undefined || nbf - SKEW_SECONDS <= now)) return undefined;
  const time = (s: number | undefined) => (s === undefined ? 'unset' : `${new Date(s * 1000).toISOString().slice(0, 19).replace('T', ' ')}Z`);
  return { code: 700024, text: `Client assertion is not within its valid time range. Current time: ${time(now)}, assertion valid from ${time(nbf)}, expiry time of assertion ${time(exp)}.` };
}

async function signedBy(jws: string, key: KeyObject): Promise<boolean> {
  try {
    await compactVerify(jws, key, { algorithms: ALGORITHMS });
    return true;
  } catch {
    return false;
  }
}
