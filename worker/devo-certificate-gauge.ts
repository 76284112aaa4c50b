import type { MetricMeter } from '@temporalio/common';
import type { Config } from '../config/schema.js';
import { certificateExpiry } from '../devo/certificate-expiry.js';
import { SERIES } from '../metrics/series.js';

/** How often the days left are set again; a worker runs for months, the certificate's end does not move. */
export const DEVO_CERTIFICATE_GAUGE_INTERVAL_MS = 3_600_000;

/**
 * Sets `o365_devo_certificate_expiry_days` for each tenant this worker serves over TLS: the days left on
 * the Devo domain certificate its events are sent with (DEVO_CERT, or the tenant's own devo.cert).
 * Returns what it set, for tests. Only the certificate's end is read; never its key.
 */
export function reportDevoCertificateExpiry(config: Config, meter: MetricMeter, nowMs: number = Date.now()): Record<string, number> {
  const { name, unit, help } = SERIES.devoCertificateExpiry;
  const gauge = meter.createGauge(name, 'int', unit, help);
  const tenants = config.tenants?.map((t) => ({ tenantId: t.microsoft.tenantId, devo: t.devo })) ?? [{ tenantId: config.microsoft.tenantId, devo: config.devo }];
  const set: Record<string, number> = {};
  for (const { tenantId, devo } of tenants) {
    if (devo.transport !== 'tls' || !devo.certPath) continue;
    const expiry = certificateExpiry(devo.certPath, 'DEVO_CERT', nowMs);
    if (!expiry) continue;
    // Gauges take no negative values: an expired certificate reads 0 (and `status` says expired).
    set[tenantId] = Math.max(0, expiry.daysLeft);
    gauge.set(set[tenantId], { tenant_id: tenantId });
  }
  return set;
}
