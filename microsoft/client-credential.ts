import { readFileSync } from 'node:fs';
import { CredentialExpiredError, FederatedTokenUnreadableError } from './errors.js';
import { parseClientCertificate, signClientAssertion, type ClientCertificate } from './client-assertion.js';
import type { ClientAssertion } from './token.js';

/**
 * How an app registration proves itself to Entra ID: exactly one of a client secret (in
 * `MicrosoftConfig.clientSecret`), a certificate (a signed client assertion), or a federated token file
 * whose token is the assertion (workload identity federation:
 * https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation).
 * Held by workers only; `setting` names where it was configured, for messages and hints.
 */
export type ClientCredential =
  | { readonly kind: 'secret'; readonly setting: string }
  | { readonly kind: 'certificate'; readonly setting: string; readonly certificate: ClientCertificate }
  | { readonly kind: 'federated'; readonly setting: string; readonly tokenFile: string };

/** What a fetched token tells the workflow about the credential behind it: its kind and, for a certificate, its end (not secret). */
export interface CredentialInfo {
  readonly kind: ClientCredential['kind'];
  readonly setting: string;
  /** ISO time the certificate stops being valid. */
  readonly expiresAt?: string;
}

/** Reads a certificate file for the worker; a problem is one line naming the setting and the file, never the key. */
export function readCertificateFile(setting: string, file: string, password: string | undefined): { credential: ClientCredential } | { problem: string } {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    return { problem: `${setting}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    return { credential: { kind: 'certificate', setting, certificate: parseClientCertificate(pem, password) } };
  } catch (err) {
    return { problem: `${setting}: ${file}: ${(err as Error).message}` };
  }
}

/** Checks at start that a federated token file can be read; its content is read afresh for each token request. */
export function checkFederatedTokenFile(setting: string, file: string): { credential: ClientCredential } | { problem: string } {
  try {
    readFileSync(file);
    return { credential: { kind: 'federated', setting, tokenFile: file } };
  } catch (err) {
    return { problem: `${setting}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

/** The public facts of a credential, for status and metrics. */
export function credentialInfo(credential: ClientCredential | undefined): CredentialInfo {
  if (!credential) return { kind: 'secret', setting: 'O365_CLIENT_SECRET' };
  const expiresAt = credential.kind === 'certificate' ? new Date(credential.certificate.notAfterMs).toISOString() : undefined;
  return { kind: credential.kind, setting: credential.setting, ...(expiresAt && { expiresAt }) };
}

/**
 * The client assertion for a token request, or undefined for a secret. A certificate past its end is
 * refused here, naming the setting to renew, rather than by Entra ID with a less telling code. A
 * federated token file is read on every request: the platform (the kubelet, for a projected service
 * account token) rewrites it before its token expires.
 */
export function clientAssertionFor(credential: ClientCredential | undefined, clientId: string, nowMs: number): ClientAssertion | undefined {
  if (!credential || credential.kind === 'secret') return undefined;
  if (credential.kind === 'certificate') {
    const { certificate, setting } = credential;
    if (certificate.notAfterMs <= nowMs) {
      throw new CredentialExpiredError(`the client certificate of ${setting} (${certificate.subject}) expired at ${new Date(certificate.notAfterMs).toISOString()}`);
    }
    return { kind: 'certificate', setting, sign: (tokenUrl) => signClientAssertion(certificate, { clientId, tokenUrl, nowMs }) };
  }
  const { tokenFile, setting } = credential;
  return {
    kind: 'federated',
    setting,
    sign: async () => {
      let token: string;
      try {
        token = readFileSync(tokenFile, 'utf8').trim();
      } catch (err) {
        throw new FederatedTokenUnreadableError(`${setting}: cannot read ${tokenFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (!token) throw new FederatedTokenUnreadableError(`${setting}: ${tokenFile} is empty`);
      return token;
    },
  };
}
