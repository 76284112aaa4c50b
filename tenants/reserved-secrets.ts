import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * What a tenant's client secret may not be read from: this process's own settings. A tenants file that
 * could name them would make the worker send the payload key, the codec token or the Temporal API key to
 * whatever login URL the entry gives, as if it were the tenant's client secret.
 */

/** Prefixes of the variables this process reads for itself: the collector's, the codec server's, and Temporal's (TEMPORAL_API_KEY, TEMPORAL_TLS_*). */
export const RESERVED_PREFIXES = ['O365_', 'DEVO_', 'PAYLOAD_', 'CODEC_', 'TEMPORAL_'] as const;

/** True when `name` is, or could become, one of this process's own settings (any case). */
export function isReservedVariable(name: string): boolean {
  const upper = name.toUpperCase();
  return RESERVED_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

/** Variables naming files of this process's own; O365_CLIENT_SECRET_FILE is a client secret like a tenant's. */
const FILE_VARIABLE = /^(?:O365_|DEVO_|PAYLOAD_|CODEC_|TEMPORAL_)\w*(?:_FILE|_PATH)$|^DEVO_(?:CERT|KEY|CHAIN)$/i;

/**
 * The files this process's settings name, each with the setting that names it: the payload key, codec
 * token, Devo HTTP token and key files, the Temporal TLS files, and the tenants' own Devo certificates and
 * keys (`others`, each as [setting, path]). Compared by real path, so a relative path or a link to the same file is caught.
 */
export function reservedFiles(env: NodeJS.ProcessEnv, others: ReadonlyArray<readonly [string, string]> = []): Map<string, string> {
  const named = Object.entries(env).filter(([name, value]) => value && FILE_VARIABLE.test(name) && name.toUpperCase() !== 'O365_CLIENT_SECRET_FILE');
  return new Map([...others, ...(named as Array<[string, string]>)].map(([setting, path]) => [samePath(path), setting]));
}

/** Why `clientSecretFile` may not be read as a client secret, or undefined. */
export function reservedFileProblem(clientSecretFile: string | undefined, reserved: ReadonlyMap<string, string>): string | undefined {
  if (clientSecretFile === undefined) return undefined;
  const setting = reserved.get(samePath(clientSecretFile));
  return setting && `clientSecretFile: ${clientSecretFile} is the file of ${setting}; give the tenant's secret a file of its own`;
}

function samePath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
