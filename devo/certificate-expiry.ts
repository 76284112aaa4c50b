import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { expiryOf } from '../contracts/credential-expiry.js';

/** When the Devo domain's client certificate (mutual TLS) stops being valid, as status and metrics show it. */
export interface CertificateExpiry {
  /** The setting that names the file: DEVO_CERT, or a tenant's devo.cert. */
  readonly setting: string;
  readonly expiresAt: string;
  /** Whole days left, rounded down; negative once expired. */
  readonly daysLeft: number;
  /** From 30 days before the end: what to renew. */
  readonly warning?: string;
}


/**
 * Reads the certificate at `path` (the first in the file) and says how long it has left; undefined when
 * the file cannot be read as a certificate (the worker's own checks report that). Public data only.
 */
export function certificateExpiry(path: string, setting: string, nowMs: number): CertificateExpiry | undefined {
  let notAfterMs: number;
  try {
    notAfterMs = Date.parse(new X509Certificate(readFileSync(path)).validTo);
  } catch {
    return undefined;
  }
  const expiresAt = new Date(notAfterMs).toISOString();
  const { daysLeft, when } = expiryOf(expiresAt, nowMs);
  if (!when) return { setting, expiresAt, daysLeft };
  return { setting, expiresAt, daysLeft, warning: `the Devo domain certificate of ${setting} ${when}: download a new certificate and key for the domain from Devo (Administration > Credentials > X.509) and replace ${setting} and its key` };
}
