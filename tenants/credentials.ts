import { readFileSync } from 'node:fs';

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
