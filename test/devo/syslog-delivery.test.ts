import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTlsServer } from 'node:tls';
import { DevoConfirmationTimeout, DevoConnectionError, DevoTlsRejected } from '../../devo/errors.js';
import { frameEvent } from '../../devo/framing.js';
import { sendSyslogBatch, type SyslogTarget } from '../../devo/syslog-sender.js';
import { httpTransport } from '../../devo/transport.js';
import { startDevoReceiver, type DevoReceiver } from '../../emulator/devo-receiver/index.js';
import { foreignCertificates, testCertificates } from '../helpers/certificates.js';

const TAG = 'cloud.office365.messagetracing';
const records = Array.from({ length: 1_500 }, (_, i) => ({
  id: `id-${i}`,
  recipientAddress: `user${i}@contoso.com`,
  subject: i % 7 === 0 ? 'multi\nline «subject» 📈' : `Quarterly report ${i}: ünïcødé, "quotes" and 'apostrophes'`,
  size: i * 17,
}));
const frames = records.map((r) => frameEvent({ tag: TAG, hostname: 'collector-1', timestamp: Date.parse('2026-11-24T10:00:00.123Z'), message: JSON.stringify(r) }));

describe('syslog delivery to the local Devo receiver', () => {
  const receivers: DevoReceiver[] = [];
  after(async () => Promise.all(receivers.map((r) => r.close())));
  const receiver = async (extra: Parameters<typeof startDevoReceiver>[0] = {}) => {
    const certs = await testCertificates();
    const r = await startDevoReceiver({ tls: { certs }, tcp: {}, ...extra });
    receivers.push(r);
    return r;
  };
  const tlsTarget = async (r: DevoReceiver, client = testCertificates()): Promise<SyslogTarget> => {
    const own = await testCertificates();
    const c = await client;
    return { transport: 'tls', host: '127.0.0.1', port: r.tlsPort!, cert: c.clientCert, key: c.clientKey, ca: own.caCert };
  };

  it('delivers every record intact over mutual TLS, confirmed by the receiver EOF', async () => {
    const r = await receiver();
    await sendSyslogBatch(frames, await tlsTarget(r));
    // confirmation means the receiver already has everything: no waiting needed here
    const got = r.eventsForTag(TAG).map((e) => JSON.parse(e.message) as unknown);
    assert.deepEqual(got, records);
    assert.ok(r.eventsForTag(TAG).every((e) => e.hostname === 'collector-1' && e.timestamp === '2026-11-24 10:00:00.123'));
  });

  it('delivers over plain TCP to a relay the same way', async () => {
    const r = await receiver();
    await sendSyslogBatch(frames.slice(0, 100), { transport: 'tcp', host: '127.0.0.1', port: r.tcpPort! });
    assert.deepEqual(r.eventsForTag(TAG).map((e) => JSON.parse(e.message) as unknown), records.slice(0, 100));
  });

  it('a client certificate from another CA is refused: DevoTlsRejected, and the receiver got nothing', async () => {
    const r = await receiver();
    const err = await sendSyslogBatch(frames.slice(0, 10), await tlsTarget(r, foreignCertificates())).catch((e: unknown) => e);
    assert.ok(err instanceof DevoTlsRejected, `${String(err)} ${String((err as Error).cause)}`);
    assert.match(err.message, /DEVO_CERT/);
    assert.equal(r.events().length, 0);
    assert.ok(r.stats().rejectedHandshakes >= 1);
  });

  it('a server certificate that does not chain to DEVO_CHAIN is refused: DevoTlsRejected', async () => {
    const r = await receiver();
    const other = await foreignCertificates();
    const target = { ...(await tlsTarget(r)), ca: other.caCert };
    const err = await sendSyslogBatch(frames.slice(0, 10), target).catch((e: unknown) => e);
    assert.ok(err instanceof DevoTlsRejected, String(err));
  });

  it('a receiver that is down gives a retryable DevoConnectionError', async () => {
    const r = await receiver();
    await r.stopListening();
    const err = await sendSyslogBatch(frames.slice(0, 10), await tlsTarget(r)).catch((e: unknown) => e);
    assert.ok(err instanceof DevoConnectionError, String(err));
    await r.resumeListening();
    await sendSyslogBatch(frames.slice(0, 10), await tlsTarget(r));
    assert.equal(r.events().length, 10, 'listens again on the same port');
  });

  it('a receiver that never closes its side leaves the batch unconfirmed: DevoConfirmationTimeout', async () => {
    const certs = await testCertificates();
    const open = new Set<import('node:net').Socket>();
    const silent = createTlsServer({ cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert, requestCert: true, allowHalfOpen: true }, (socket) => {
      open.add(socket);
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    after(() => {
      open.forEach((s) => s.destroy());
      silent.close();
    });
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const err = await sendSyslogBatch(frames.slice(0, 10), { transport: 'tls', host: '127.0.0.1', port, cert: certs.clientCert, key: certs.clientKey, ca: certs.caCert }, { confirmTimeoutMs: 500 }).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof DevoConfirmationTimeout, String(err));
    assert.ok(Date.now() - started < 10_000);
  });

  it('an aborted send stops at once', async () => {
    const r = await receiver();
    const controller = new AbortController();
    controller.abort(new Error('activity cancelled'));
    await assert.rejects(sendSyslogBatch(frames, await tlsTarget(r), { signal: controller.signal }), /activity cancelled/);
  });

  it('HTTP ingestion: gzip stream, 2xx confirms, a wrong token is a non-retryable rejection', async () => {
    const r = await receiver({ http: { token: 'tok123', domain: 'acme' } });
    const url = `http://127.0.0.1:${r.httpPort}`;
    const events = records.slice(0, 200).map((rec) => ({ tag: TAG, hostname: 'collector-1', timestamp: 0, message: JSON.stringify(rec) }));
    await httpTransport({ url, domain: 'acme', token: 'tok123' }).sendBatch(events);
    assert.deepEqual(r.eventsForTag(TAG).map((e) => JSON.parse(e.message) as unknown), records.slice(0, 200));
    await assert.rejects(httpTransport({ url, domain: 'acme', token: 'wrong' }).sendBatch(events), /DEVO_HTTP_TOKEN/);
  });
});
