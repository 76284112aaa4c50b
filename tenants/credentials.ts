import { readFileSync } from 'node:fs';
import { checkFederatedTokenFile, readCertificateFile, type ClientCredential } from '../microsoft/client-credential.js';

/** Where a tenant's client secret is: an environment variable or a file, named in the tenants file. */
export interface SecretReference {
  readonly clientSecretEnv?: string;
  readonly clientSecretFile?: string;
}

/**
 * Reads a tenant's client secret on the worker. Problems name the reference, never the value; a file's
 * trailing newline (as `echo` and most secret stores write it) is not part of the secret.
 */
export function readClientSecret(ref: SecretReference, env: NodeJS.ProcessEnv): { secret: string } | { problem: string } {
  if (ref.clientSecretEnv !== undefined) {
    const value = env[ref.clientSecretEnv];
    return value ? { secret: value } : { problem: `clientSecretEnv: ${ref.clientSecretEnv} is not set in the worker's environment` };
  }
  if (ref.clientSecretFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(ref.clientSecretFile, 'utf8');
    } catch (err) {
      return { problem: `clientSecretFile: cannot read ${ref.clientSecretFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    const secret = text.replace(/\r?\n$/, '');
    return secret ? { secret } : { problem: `clientSecretFile: ${ref.clientSecretFile} is empty` };
  }
  return { problem: 'clientSecretEnv: no client secret reference' };
}

/** Where a tenant's certificate or federated token is, and the certificate password's variable. */
export interface AssertionReference {
  readonly clientCertificateFile?: string;
  readonly clientCertificatePasswordEnv?: string;
  readonly federatedTokenFile?: string;
}

/**
 * Reads a tenant's certificate (or checks its federated token file) on the worker; undefined when the
 * tenant uses a client secret. Problems name the key and the file, never the content.
 */
export function readAssertionCredential(ref: AssertionReference, env: NodeJS.ProcessEnv): { credential?: ClientCredential } | { problem: string } {
  if (ref.federatedTokenFile !== undefined) return checkFederatedTokenFile('federatedTokenFile', ref.federatedTokenFile);
  if (ref.clientCertificateFile === undefined) return {};
  const passwordEnv = ref.clientCertificatePasswordEnv;
  const password = passwordEnv === undefined ? undefined : env[passwordEnv];
  if (passwordEnv !== undefined && !password) return { problem: `clientCertificatePasswordEnv: ${passwordEnv} is not set in the worker's environment` };
  return readCertificateFile('clientCertificateFile', ref.clientCertificateFile, password);
}
