import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricMeter, MetricTags } from '@temporalio/common';
import { formatStatus, type StatusReport } from '../../client/status.js';
import type { Config } from '../../config/schema.js';
import { generateCertificateSet } from '../../devo/certificates.js';
import { certificateExpiry } from '../../devo/certificate-expiry.js';
import { reportDevoCertificateExpiry } from '../../worker/devo-certificate-gauge.js';
import { EXPIRY_WARNING_DAYS } from '../../contracts/credential-expiry.js';
import { describeCredential } from '../../workflows/state.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-03T12:00:00Z');
const certificate = (daysLeft: number) => ({ kind: 'certificate', setting: 'O365_CLIENT_CERTIFICATE_FILE', expiresAt: new Date(NOW + daysLeft * DAY).toISOString() });

/** A meter that keeps the last value each gauge was set to, by name and tenant. */
function recordingMeter(): { meter: MetricMeter; values: Map<string, number> } {
  const values = new Map<string, number>();
  const gauge = (name: string) => ({ set: (value: number, tags: MetricTags = {}) => values.set(`${name}{${String(tags.tenant_id)}}`, value), name, valueType: 'int' as const, kind: 'gauge' as const });
  const meter = { createGauge: gauge } as unknown as MetricMeter;
  return { meter, values };
}

describe('credential expiry in status and metrics', () => {
  it('status warns about the client certificate from 30 days out, naming the setting and what to renew; secrets and federated tokens have no end to warn about', () => {
    assert.equal(EXPIRY_WARNING_DAYS, 30);
    assert.deepEqual(describeCredential(certificate(45), NOW), { ...certificate(45), daysLeft: 45 });
    assert.equal(describeCredential(certificate(30), NOW)?.warning, undefined);
    assert.match(describeCredential(certificate(29.5), NOW)!.warning!, /^the client certificate of O365_CLIENT_CERTIFICATE_FILE expires at 2027-01-02T00:00:00.000Z \(29 days left\): create a new one, upload its public part to the app registration/);
    assert.match(describeCredential(certificate(-1), NOW)!.warning!, /^the client certificate of O365_CLIENT_CERTIFICATE_FILE expired at /);
    assert.deepEqual(describeCredential({ kind: 'federated', setting: 'O365_FEDERATED_TOKEN_FILE' }, NOW), { kind: 'federated', setting: 'O365_FEDERATED_TOKEN_FILE' });
    assert.equal(describeCredential(undefined, NOW), undefined);
  });

  it('the Devo domain certificate: days left and a warning within 30 days, in `status` and as a gauge per tenant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'o365-devo-expiry-'));
    const soon = await generateCertificateSet({ days: 12 });
    const later = await generateCertificateSet({ days: 400 });
    writeFileSync(join(dir, 'soon.pem'), soon.clientCert);
    writeFileSync(join(dir, 'later.pem'), later.clientCert);
    const expiring = certificateExpiry(join(dir, 'soon.pem'), 'DEVO_CERT', Date.now())!;
    assert.ok(expiring.daysLeft === 11 || expiring.daysLeft === 12, `${expiring.daysLeft}`);
    assert.match(expiring.warning!, /^the Devo domain certificate of DEVO_CERT expires at .* days left\): download a new certificate and key for the domain from Devo/);
    assert.equal(certificateExpiry(join(dir, 'later.pem'), 'DEVO_CERT', Date.now())!.warning, undefined);
    assert.equal(certificateExpiry(join(dir, 'missing.pem'), 'DEVO_CERT', Date.now()), undefined);

    const lines = formatStatus({ credential: describeCredential(certificate(10), NOW), devoCertificate: expiring, totals: {}, budget: {} } as unknown as StatusReport);
    assert.ok(lines.includes(`credential: certificate (O365_CLIENT_CERTIFICATE_FILE), expires ${certificate(10).expiresAt} (10 days left)`), lines.join('\n'));
    assert.equal(lines.filter((l) => l.startsWith('warning: ')).length, 2, lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith(`Devo certificate: DEVO_CERT expires ${expiring.expiresAt}`)), lines.join('\n'));

    const tls = { transport: 'tls', address: 'x', port: 443, tag: 't', hostname: 'h', batchSize: 1 } as const;
    const config = {
      microsoft: { tenantId: 'ignored' },
      devo: { ...tls, certPath: join(dir, 'later.pem') },
      tenants: [
        { microsoft: { tenantId: 'contoso' }, devo: { ...tls, certPath: join(dir, 'soon.pem') } },
        { microsoft: { tenantId: 'fabrikam' }, devo: { ...tls, certPath: join(dir, 'later.pem') } },
        { microsoft: { tenantId: 'relayed' }, devo: { ...tls, transport: 'relay' } },
      ],
    } as unknown as Config;
    const { meter, values } = recordingMeter();
    reportDevoCertificateExpiry(config, meter);
    assert.deepEqual([...values.keys()].sort(), ['o365_devo_certificate_expiry_days{contoso}', 'o365_devo_certificate_expiry_days{fabrikam}']);
    assert.equal(values.get('o365_devo_certificate_expiry_days{contoso}'), expiring.daysLeft);
  });
});
