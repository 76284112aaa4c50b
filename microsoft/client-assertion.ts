import { createHash, createPrivateKey, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * Certificate credentials for the client-credentials grant: the app proves itself with a JWT signed by
 * the private key of a certificate registered on its app registration, sent as `client_assertion`
 * (https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials).
 */

/** `client_assertion_type` for both signed assertions and federated tokens (RFC 7523 §2.2). */
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** How long a signed assertion is valid: Microsoft wants it short, and each one is used once. */
export const ASSERTION_LIFETIME_SECONDS = 600;

/** A client certificate and its private key, as read by the worker. Never logged, never in workflow input. */
export interface ClientCertificate {
  /** The RSA private key; a KeyObject, so that printing it shows no key material. */
  readonly privateKey: KeyObject;
  /** base64url SHA-256 of the certificate's DER: the `x5t#S256` header by which Entra finds the key. */
  readonly x5tS256: string;
  /** base64url SHA-1 of the DER (`x5t`), which older Entra paths still read. */
  readonly x5t: string;
  /** The certificate's end of validity (not secret), for expiry warnings. */
  readonly notAfterMs: number;
  readonly subject: string;
}

/** Why a certificate file could not be used; the message names the file's problem, never its content. */
export class ClientCertificateError extends Error {
  override name = 'ClientCertificateError';
}

/**
 * Reads a PEM holding the certificate and its private key (the layout of Azure Identity's
 * AZURE_CLIENT_CERTIFICATE_PATH), the key optionally encrypted with `password`. The first certificate
 * whose public key matches the private key is the one used; any others (a chain) are ignored.
 */
export function parseClientCertificate(pem: string, password?: string): ClientCertificate {
  const certificates = [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => m[0]);
  const keyBlock = /-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END \1?PRIVATE KEY-----/.exec(pem);
  if (certificates.length === 0) throw new ClientCertificateError('no CERTIFICATE block (expected PEM with the certificate and its private key)');
  if (!keyBlock) throw new ClientCertificateError('no PRIVATE KEY block (expected PEM with the certificate and its private key)');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: keyBlock[0], format: 'pem', ...(password !== undefined && { passphrase: password }) });
  } catch (err) {
    const encrypted = keyBlock[1] === 'ENCRYPTED ' || /Proc-Type: 4,ENCRYPTED/.test(keyBlock[0]);
    // OpenSSL's own message can be long; its reason code is enough and never quotes the key.
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable key';
    throw new ClientCertificateError(encrypted ? `the private key is encrypted and ${password === undefined ? 'no password is set' : 'the password does not open it'} (${reason})` : `the private key cannot be read (${reason})`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new ClientCertificateError(`the private key is ${privateKey.asymmetricKeyType ?? 'unknown'}; Entra ID takes RSA certificates only`);
  const certificate = certificates.map((text) => new X509Certificate(text)).find((c) => c.checkPrivateKey(privateKey));
  if (!certificate) throw new ClientCertificateError('no certificate in the file matches its private key');
  return {
    privateKey,
    x5tS256: createHash('sha256').update(certificate.raw).digest('base64url'),
    x5t: createHash('sha1').update(certificate.raw).digest('base64url'),
    notAfterMs: Date.parse(certificate.validTo),
    subject: certificate.subject.replace(/\n/g, ', '),
  };
}

/** What a signed assertion says: who the app is and which token endpoint it is for. */
export interface AssertionClaims {
  readonly clientId: string;
  /** The token endpoint URL the assertion is sent to (Entra compares `aud` with it). */
  readonly tokenUrl: string;
  readonly nowMs: number;
}

/**
 * Signs a client assertion: PS256 (RS256 is accepted too, PS256 is what Microsoft recommends now),
 * headers `x5t#S256` and `x5t`, `iss` = `sub` = client id, `aud` = the token endpoint, a fresh `jti`,
 * `nbf`/`iat` now and `exp` ten minutes later.
 */
export async function signClientAssertion(certificate: ClientCertificate, claims: AssertionClaims): Promise<string> {
  const now = Math.floor(claims.nowMs / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'PS256', typ: 'JWT', 'x5t#S256': certificate.x5tS256, x5t: certificate.x5t })
    .setIssuer(claims.clientId)
    .setSubject(claims.clientId)
    .setAudience(claims.tokenUrl)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + ASSERTION_LIFETIME_SECONDS)
    .sign(certificate.privateKey);
}
