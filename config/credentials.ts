import { checkFederatedTokenFile, readCertificateFile, type ClientCredential } from '../microsoft/client-credential.js';

/**
 * The app credential of O365_TENANT_ID: exactly one of a client secret, a certificate file or a
 * federated token file. config/schema.ts hands over the variables it parsed; this module checks them
 * and, for workers, reads the certificate.
 */

/** The variables that each configure one credential; at most one may be set. */
export const CREDENTIAL_VARIABLES = ['O365_CLIENT_SECRET', 'O365_CLIENT_CERTIFICATE_FILE', 'O365_FEDERATED_TOKEN_FILE'] as const;

/** What resolving found: the credential (absent for a secret, or when not read), or one line per problem. */
export interface ResolvedCredential {
  readonly credential?: ClientCredential;
  readonly lines: string[];
}

/**
 * Checks the credential variables in `own` (the secret already read from its _FILE): two set is an error
 * naming both; none is one when `required`. With `read` (workers), the certificate is read and checked
 * against its key, and the federated token file must be readable.
 */
export function environmentCredential(own: Record<string, string | undefined>, options: { read: boolean; required: boolean }): ResolvedCredential {
  const named = (name: (typeof CREDENTIAL_VARIABLES)[number]) => (name === 'O365_CLIENT_SECRET' && own.O365_CLIENT_SECRET_FILE ? 'O365_CLIENT_SECRET_FILE' : name);
  const set = CREDENTIAL_VARIABLES.filter((name) => own[name]);
  const lines: string[] = [];
  const password = own.O365_CLIENT_CERTIFICATE_PASSWORD;
  if (password !== undefined && !own.O365_CLIENT_CERTIFICATE_FILE) lines.push('O365_CLIENT_CERTIFICATE_PASSWORD: set without O365_CLIENT_CERTIFICATE_FILE');
  if (set.length > 1) {
    lines.push(`${named(set[1]!)}: set exactly one credential; ${set.map(named).join(' and ')} are both set`);
    return { lines };
  }
  if (set.length === 0) {
    if (options.required) lines.push('O365_CLIENT_SECRET: required, or O365_CLIENT_CERTIFICATE_FILE, or O365_FEDERATED_TOKEN_FILE (exactly one credential)');
    return { lines };
  }
  if (!options.read || set[0] === 'O365_CLIENT_SECRET') return { lines };
  const found =
    set[0] === 'O365_CLIENT_CERTIFICATE_FILE'
      ? readCertificateFile('O365_CLIENT_CERTIFICATE_FILE', own.O365_CLIENT_CERTIFICATE_FILE!, password)
      : checkFederatedTokenFile('O365_FEDERATED_TOKEN_FILE', own.O365_FEDERATED_TOKEN_FILE!);
  if ('problem' in found) return { lines: [...lines, found.problem] };
  return { credential: found.credential, lines };
}
