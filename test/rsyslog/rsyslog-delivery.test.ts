import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities/index.js';
import type { SendProgress, SendToDevoResult } from '../../contracts/activity-io.js';
import type { CertificateSet } from '../../devo/certificates.js';
import { syslogTransport, type DevoTransport } from '../../devo/transport.js';
import { foreignCertificates, testCertificates } from '../helpers/certificates.js';
import { devoActivityDeps } from '../helpers/devo-activity-deps.js';
import { RSYSLOGD, startRsyslog, type Rsyslog } from '../helpers/rsyslog.js';
import { waitUntil } from '../helpers/wait-until.js';

const TAG = 'cloud.office365.messagetracing';
const BATCH = 250;
const records = Array.from({ length: 2_000 }, (_, i) => ({
  id: `9f1c2a3b-0000-4000-8000-${String(i).padStart(12, '0')}`,
  recipientAddress: `user${i}@contoso.com`,
  receivedDateTime: '2026-11-24T10:00:00.1234567Z',
  subject: i % 5 === 0 ? 'Übersicht – 四半期レポート 📈 "quoted" \\ back\tslash' : `Quarterly report ${i}`,
  size: 1000 + i,
  status: 'delivered',
}));
const input = { tenantId: 't', records, window: { startMs: 0, endMs: 300_000 }, page: 1 };

/** The syslog header our sender writes before each record. */
const HEADER = `<14>\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} collector-1 ${TAG.replace(/\./g, '\\.')}: `;

/**
 * The records rsyslog wrote under the Devo tag, parsed back from its raw messages, and the pieces that are
 * not a whole record. A SIGKILLed rsyslogd can leave its last write cut short; restarted, it appends its
 * next message to that line, so a line is read as the messages its headers begin.
 */
function readArrived(rsyslog: Rsyslog): { records: Record<string, unknown>[]; torn: number } {
  const header = new RegExp(`^${HEADER}`);
  const records: Record<string, unknown>[] = [];
  let torn = 0;
  for (const line of rsyslog.messages().filter((m) => header.test(m))) {
    for (const message of line.split(new RegExp(`(?=${HEADER})`))) {
      try {
        records.push(JSON.parse(message.replace(header, '')) as Record<string, unknown>);
      } catch {
        torn++;
      }
    }
  }
  return { records, torn };
}

/** The records rsyslog wrote; every line must be a whole record. */
function arrived(rsyslog: Rsyslog): Record<string, unknown>[] {
  const { records, torn } = readArrived(rsyslog);
  if (torn > 0) throw new Error(`${torn} line(s) on disk are not a whole record`);
  return records;
}

const deps = (devo: DevoTransport) => devoActivityDeps(devo, { devoBatchSize: BATCH });

describe('delivery to a real rsyslog daemon (GnuTLS, mutual TLS)', { skip: RSYSLOGD ? false : 'rsyslogd not installed' }, () => {
  let certs: CertificateSet;
  let rsyslog: Rsyslog;
  const tls = (client: CertificateSet) =>
    syslogTransport({ transport: 'tls', host: '127.0.0.1', port: rsyslog.tlsPort, cert: client.clientCert, key: client.clientKey, ca: certs.caCert, servername: 'localhost' });

  before(async () => {
    certs = await testCertificates();
    rsyslog = await startRsyslog(certs);
  });
  after(async () => rsyslog?.stop());

  it('every record arrives intact (JSON-equal) under the Devo tag, over mutual TLS and over plain TCP', async () => {
    const sent = records.slice(0, 1_000);
    await new MockActivityEnvironment().run(createActivities(deps(tls(certs))).sendToDevo, { ...input, records: sent });
    await waitUntil(() => arrived(rsyslog).length >= sent.length, { what: 'rsyslog to write the TLS batch' });
    assert.deepEqual(arrived(rsyslog), sent);

    const relay = syslogTransport({ transport: 'tcp', host: '127.0.0.1', port: rsyslog.tcpPort });
    const more = records.slice(1_000, 1_200);
    await new MockActivityEnvironment().run(createActivities(deps(relay)).sendToDevo, { ...input, records: more });
    await waitUntil(() => arrived(rsyslog).length >= sent.length + more.length, { what: 'rsyslog to write the TCP batch' });
    assert.deepEqual(arrived(rsyslog).slice(sent.length), more);
  });

  it('rsyslog killed in the middle of a send: after the retry every record is there, duplicates within one batch', async () => {
    const before = arrived(rsyslog).length;
    let batches = 0;
    const base = tls(certs);
    // Kill rsyslog while the fourth batch is on the wire; the first three are confirmed and written.
    const killing: DevoTransport = {
      description: base.description,
      async sendBatch(events, signal) {
        if (++batches === 4) {
          await waitUntil(() => arrived(rsyslog).length >= before + 3 * BATCH, { what: 'three confirmed batches on disk' });
          const sending = base.sendBatch(events, signal);
          setTimeout(() => void rsyslog.kill(), 5);
          return sending;
        }
        return base.sendBatch(events, signal);
      },
    };
    const beats: SendProgress[] = [];
    const env1 = new MockActivityEnvironment({ attempt: 1 });
    env1.on('heartbeat', (d: SendProgress) => beats.push(d));
    const failure = await env1.run(createActivities(deps(killing)).sendToDevo, input).catch((e: unknown) => e);
    assert.ok(failure instanceof ApplicationFailure, String(failure));
    assert.equal(failure.type, 'DevoUnavailable');
    assert.equal(failure.nonRetryable, false);

    await rsyslog.start();
    const env2 = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: beats.at(-1) });
    const result = (await env2.run(createActivities(deps(tls(certs))).sendToDevo, input)) as SendToDevoResult;
    await waitUntil(() => readArrived(rsyslog).records.length >= before + records.length, { what: 'all records on disk' });
    const { records: onDisk, torn } = readArrived(rsyslog);
    assert.ok(torn <= 1, `${torn} torn lines: at most the one write the kill cut short`);
    const got = onDisk.slice(before) as { id: string }[];
    const counts = new Map<string, number>();
    for (const r of got) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    const missing = records.filter((r) => !counts.has(r.id)).length;
    const duplicates = got.length - counts.size;
    assert.equal(missing, 0, 'nothing lost');
    assert.ok(duplicates <= BATCH, `${duplicates} duplicates, at most one batch (${BATCH})`);
    assert.equal(result.resent, BATCH, 'the batch in flight is reported as possibly repeated');
  });

  it('a client certificate from another CA: a clear, non-retryable DevoTlsRejected', async () => {
    const failure = await new MockActivityEnvironment().run(createActivities(deps(tls(await foreignCertificates()))).sendToDevo, { ...input, records: records.slice(0, 10) }).catch((e: unknown) => e);
    assert.ok(failure instanceof ApplicationFailure, String(failure));
    assert.equal(failure.type, 'DevoTlsRejected');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /DEVO_CERT/);
  });
});
