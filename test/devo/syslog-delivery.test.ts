import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { createServer as createTlsServer, type TlsOptions, type TLSSocket } from 'node:tls';
import { DevoConfirmationTimeout, DevoConnectionError, DevoTlsRejected } from '../../devo/errors.js';
import { frameEvent } from '../../devo/framing.js';
import { sendSyslogBatch, type SyslogTarget } from '../../devo/syslog-sender.js';
import { startDevoReceiver, type DevoReceiver, type DevoReceiverOptions } from '../../emulator/devo-receiver/index.js';
import { foreignCertificates, testCertificates } from '../helpers/certificates.js';
import { waitUntil } from '../helpers/wait-until.js';

const TAG = 'cloud.office365.messagetracing';
const AT = Date.parse('2026-11-24T10:00:00.123Z');
const records = Array.from({ length: 1_500 }, (_, i) => ({
  MessageTraceId: `9f1c2a3b-0000-4000-8000-${String(i).padStart(12, '0')}`,
  RecipientAddress: `user${i}@contoso.com`,
  Subject: i % 7 === 0 ? 'multi\nline «subject» 📈\r\n' : `Quarterly report ${i}: ünïcødé, "quotes", \\ and \t tabs`,
  Size: i * 17,
}));
const framesOf = (rows: object[]) => rows.map((r) => frameEvent({ tag: TAG, hostname: 'collector-1', timestamp: AT, message: JSON.stringify(r) }));
const frames = framesOf(records);
const big = framesOf(Array.from({ length: 12_000 }, (_, i) => ({ i, pad: 'p'.repeat(400) }))); // ~5 MB

describe('confirmed syslog batches to the local Devo receiver', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  after(async () => Promise.all(cleanups.map((c) => c())));
  const receiver = async (extra: Partial<DevoReceiverOptions> = {}) => {
    const r = await startDevoReceiver({ tls: { certs: await testCertificates() }, tcp: {}, ...extra });
    cleanups.push(() => r.close());
    return r;
  };
  const tlsTarget = async (port: number, client = testCertificates()): Promise<Extract<SyslogTarget, { transport: 'tls' }>> => {
    const c = await client;
    return { transport: 'tls', host: '127.0.0.1', port, cert: c.clientCert, key: c.clientKey, ca: (await testCertificates()).caCert };
  };
  /** A TLS server of the test CA that accepts and reads, but whose behaviour after that the test decides. */
  const rawServer = async (onSocket: (socket: TLSSocket) => void, options: TlsOptions = {}) => {
    const certs = await testCertificates();
    const open = new Set<TLSSocket>();
    const server = createTlsServer({ cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert, requestCert: true, rejectUnauthorized: true, allowHalfOpen: true, ...options }, (socket) => {
      open.add(socket);
      socket.on('error', () => undefined);
      onSocket(socket);
    });
    server.on('tlsClientError', () => undefined);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => {
      for (const socket of open) socket.destroy(); // half-open on purpose: server.close would wait for them
      return new Promise((resolve) => server.close(resolve));
    });
    return { server, port: (server.address() as AddressInfo).port };
  };
  const messages = (r: DevoReceiver) => r.eventsForTag(TAG).map((e) => JSON.parse(e.message) as unknown);

  it('over mutual TLS every record arrives JSON-equal, in order, and is already stored when the send resolves', async () => {
    const r = await receiver();
    const result = await sendSyslogBatch(frames, await tlsTarget(r.tlsPort!));
    assert.deepEqual(messages(r), records);
    assert.ok(r.eventsForTag(TAG).every((e) => e.hostname === 'collector-1' && e.timestamp === '2026-11-24 10:00:00.123' && e.transport === 'tls'));
    assert.equal(result.bytes, frames.reduce((sum, f) => sum + f.length, 0));
    assert.equal(r.stats().parseErrors, 0);
  });

  it('over plain TCP (relay mode) the same way', async () => {
    const r = await receiver();
    await sendSyslogBatch(frames.slice(0, 300), { transport: 'tcp', host: '127.0.0.1', port: r.tcpPort! });
    assert.deepEqual(messages(r), records.slice(0, 300));
  });

  it('a client certificate from another CA is refused with a non-retryable DevoTlsRejected naming DEVO_CERT, small or large batch', async () => {
    const r = await receiver();
    // Small: TLS 1.3 shows the refusal as a bare EOF; large: as a reset in the middle of the writes.
    for (const batch of [frames.slice(0, 5), big]) {
      const err = await sendSyslogBatch(batch, await tlsTarget(r.tlsPort!, foreignCertificates())).catch((e: unknown) => e);
      assert.ok(err instanceof DevoTlsRejected, String(err));
      assert.equal(err.reason, 'client-certificate');
      assert.match(err.message, /DEVO_CERT/);
    }
    assert.equal(r.events().length, 0);
    assert.ok(r.stats().rejectedHandshakes >= 2, JSON.stringify(r.stats()));
  });

  it('a client certificate from another CA is refused over TLS 1.2 as well', async () => {
    const { port } = await rawServer((s) => s.resume(), { maxVersion: 'TLSv1.2' });
    const err = await sendSyslogBatch(frames.slice(0, 5), await tlsTarget(port, foreignCertificates())).catch((e: unknown) => e);
    assert.ok(err instanceof DevoTlsRejected, String(err));
  });

  it('a server certificate not signed by DEVO_CHAIN, or not naming the host, is refused: DevoTlsRejected naming DEVO_CHAIN', async () => {
    const r = await receiver();
    const own = await tlsTarget(r.tlsPort!);
    for (const target of [{ ...own, ca: (await foreignCertificates()).caCert }, { ...own, servername: 'collector-eu.devo.io' }]) {
      const err = await sendSyslogBatch(frames.slice(0, 5), target).catch((e: unknown) => e);
      assert.ok(err instanceof DevoTlsRejected, String(err));
      assert.equal(err.reason, 'server-untrusted');
      assert.match(err.message, /DEVO_CHAIN/);
    }
    assert.equal(r.events().length, 0);
  });

  it('a key that does not belong to the certificate is refused before any connection', async () => {
    const target = { ...(await tlsTarget(1)), key: (await foreignCertificates()).clientKey };
    const err = await sendSyslogBatch(frames.slice(0, 1), target).catch((e: unknown) => e);
    assert.ok(err instanceof DevoTlsRejected, String(err));
    assert.equal(err.reason, 'local-credentials');
  });

  it('a receiver that is down gives a retryable DevoConnectionError; it listens again on the same port', async () => {
    const r = await receiver();
    await r.stopListening();
    const err = await sendSyslogBatch(frames.slice(0, 10), await tlsTarget(r.tlsPort!)).catch((e: unknown) => e);
    assert.ok(err instanceof DevoConnectionError, String(err));
    assert.equal((err.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    await r.resumeListening();
    await sendSyslogBatch(frames.slice(0, 10), await tlsTarget(r.tlsPort!));
    assert.deepEqual(messages(r), records.slice(0, 10));
  });

  it('a receiver that drops the connection mid-batch never yields a confirmation', async () => {
    const r = await receiver();
    await sendSyslogBatch(frames.slice(0, 1), await tlsTarget(r.tlsPort!)); // a session ticket proves our certificate
    const sending = sendSyslogBatch([...big, ...big, ...big], await tlsTarget(r.tlsPort!));
    await waitUntil(() => r.events().length > 10, { intervalMs: 1, what: 'the batch to start arriving' });
    await r.stopListening();
    const err = await sending.catch((e: unknown) => e);
    assert.ok(err instanceof DevoConnectionError, String(err));
  });

  it('a receiver that never sends its EOF: DevoConfirmationTimeout after the configured wait', async () => {
    const { port } = await rawServer((socket) => socket.resume()); // reads everything, never ends its side
    const started = Date.now();
    const err = await sendSyslogBatch(frames.slice(0, 10), await tlsTarget(port), { confirmTimeoutMs: 400 }).catch((e: unknown) => e);
    assert.ok(err instanceof DevoConfirmationTimeout, String(err));
    assert.match(err.message, /no EOF within 400 ms/);
    assert.ok(Date.now() - started >= 400);
  });

  it('a receiver that stops reading mid-batch: DevoConfirmationTimeout, not a hang', async () => {
    const { port } = await rawServer((socket) => socket.pause());
    const err = await sendSyslogBatch([...big, ...big], await tlsTarget(port), { confirmTimeoutMs: 400 }).catch((e: unknown) => e);
    assert.ok(err instanceof DevoConfirmationTimeout, String(err));
    assert.match(err.message, /stopped reading/);
  });

  it('an abort stops a send at once, closes its socket, and rejects with an AbortError', async () => {
    const closed: Promise<void>[] = [];
    const { port } = await rawServer((socket) => {
      socket.resume();
      // The client going away shows as its FIN (we stay half-open) or a reset.
      closed.push(new Promise((resolve) => ['end', 'close', 'error'].forEach((event) => socket.once(event, () => resolve()))));
    });
    const controller = new AbortController();
    const sending = sendSyslogBatch(frames, await tlsTarget(port), { signal: controller.signal });
    await waitUntil(() => closed.length > 0, { intervalMs: 5, what: 'the connection' });
    controller.abort(new Error('activity cancelled'));
    const err = await sending.catch((e: unknown) => e);
    assert.ok(err instanceof Error && err.name === 'AbortError', String(err));
    assert.match(err.message, /activity cancelled/);
    await Promise.all(closed); // the server saw the connection go away

    const before = closed.length;
    await assert.rejects(sendSyslogBatch(frames, await tlsTarget(port), { signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.equal(closed.length, before, 'an aborted signal opens no connection');
  });

  it('an endpoint that dies in the middle of the handshake is a retryable DevoConnectionError, not a refused certificate', async () => {
    // As rsyslog killed mid-handshake: the send and the first probe are reset, then nothing listens any more.
    let connections = 0;
    const server = createNetServer((socket) => {
      connections++;
      socket.once('data', () => {
        socket.resetAndDestroy();
        if (connections === 2) server.close();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const err = await sendSyslogBatch(frames.slice(0, 5), await tlsTarget((server.address() as AddressInfo).port)).catch((e: unknown) => e);
    assert.ok(err instanceof DevoConnectionError, String(err));
    assert.match(err.message, /ECONNREFUSED|ECONNRESET/);
    assert.equal(connections, 2, 'the send and one probe reached the endpoint before it was gone');
  });

  it('leaves no socket open on any path', async () => {
    const sockets = () => process.getActiveResourcesInfo().filter((k) => k === 'TCPSocketWrap' || k === 'TLSWrap').length;
    const r = await receiver();
    const baseline = sockets();
    await sendSyslogBatch(frames.slice(0, 50), await tlsTarget(r.tlsPort!));
    await sendSyslogBatch(frames.slice(0, 50), await tlsTarget(r.tlsPort!, foreignCertificates())).catch(() => undefined);
    await sendSyslogBatch(frames.slice(0, 50), { ...(await tlsTarget(r.tlsPort!)), ca: (await foreignCertificates()).caCert }).catch(() => undefined);
    await waitUntil(() => sockets() <= baseline, { intervalMs: 10, what: `sockets back to ${baseline}` });
  });
});
