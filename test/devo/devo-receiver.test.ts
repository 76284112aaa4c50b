import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { frameEvent } from '../../devo/framing.js';
import { sendSyslogBatch } from '../../devo/syslog-sender.js';
import { httpTransport } from '../../devo/transport.js';
import { startDevoReceiver, type DevoReceiverOptions } from '../../emulator/devo-receiver/index.js';
import { testCertificates } from '../helpers/certificates.js';
import { waitUntil } from '../helpers/wait-until.js';

const TAG = 'cloud.office365.messagetracing';
const rows = Array.from({ length: 200 }, (_, i) => ({ MessageTraceId: `id-${i}`, Subject: i % 9 === 0 ? 'two\nlines' : `s ${i} ü 📈` }));
const frame = (message: string, tag = TAG) => frameEvent({ tag, hostname: 'collector-1', timestamp: 0, message });

/** A raw client that records everything the receiver sends back (it must send nothing) and how it ended. */
async function rawClient(socket: Socket) {
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const ended = new Promise<string>((resolve) => {
    socket.once('end', () => resolve('end'));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(String(err.code)));
  });
  await once(socket, socket.constructor.name === 'TLSSocket' ? 'secureConnect' : 'connect');
  return { received, ended };
}

describe('the local Devo receiver', () => {
  const cleanups: (() => unknown)[] = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });
  const receiver = async (extra: Partial<DevoReceiverOptions> = {}) => {
    const r = await startDevoReceiver({ tls: { certs: await testCertificates() }, tcp: {}, ...extra });
    cleanups.push(() => r.close());
    return r;
  };

  it('takes gzip members and plain lines mixed on one TLS connection, writes nothing back, and confirms with its EOF', async () => {
    const r = await receiver();
    const certs = await testCertificates();
    const socket = tlsConnect({ host: '127.0.0.1', port: r.tlsPort!, cert: certs.clientCert, key: certs.clientKey, ca: certs.caCert });
    const client = await rawClient(socket);
    const messages = rows.map((row) => JSON.stringify(row));
    socket.write(Buffer.concat(messages.slice(0, 50).map((m) => frame(m))));
    socket.write(gzipSync(Buffer.concat(messages.slice(50, 150).map((m) => frame(m)))));
    socket.end(Buffer.concat(messages.slice(150).map((m) => frame(m))));
    assert.equal(await client.ended, 'end');
    assert.deepEqual(r.eventsForTag(TAG).map((e) => e.message), messages);
    assert.equal(Buffer.concat(client.received).length, 0, 'Devo never writes application data');
  });

  it('parses frames however the TCP writes cut them, and counts an unterminated last record at FIN', async () => {
    const r = await receiver();
    const bytes = Buffer.concat([...rows.map((row) => frame(JSON.stringify(row))), Buffer.from(`<14>2026-01-01 00:00:00.000 h ${TAG}: last, no newline`)]);
    const socket = netConnect({ host: '127.0.0.1', port: r.tcpPort! });
    const client = await rawClient(socket);
    socket.setNoDelay(true);
    for (let at = 0, step = 1; at < bytes.length; at += step, step = (step * 7) % 23 || 1) {
      if (!socket.write(bytes.subarray(at, at + step))) await once(socket, 'drain');
    }
    socket.end();
    assert.equal(await client.ended, 'end');
    assert.deepEqual(r.events().map((e) => e.message), [...rows.map((row) => JSON.stringify(row)), 'last, no newline']);
    assert.ok(r.events().every((e) => e.transport === 'tcp'));
  });

  it('counts connections, parse errors, events by tag and duplicates; clear() forgets the events', async () => {
    const r = await receiver();
    const target = { transport: 'tcp' as const, host: '127.0.0.1', port: r.tcpPort! };
    const batch = rows.slice(0, 40).map((row) => frame(JSON.stringify(row)));
    await sendSyslogBatch([...batch, Buffer.from('not syslog\n'), frame('x', 'my.app.other')], target);
    await sendSyslogBatch(batch.slice(0, 15), target); // a resent part
    const stats = r.stats();
    assert.deepEqual({ ...stats, rejectedHandshakes: 0 }, { events: 56, byTag: { [TAG]: 55, 'my.app.other': 1 }, connections: 2, rejectedHandshakes: 0, parseErrors: 1, held: 0 });
    assert.equal(r.duplicates((e) => e.message), 15);
    r.clear();
    assert.deepEqual(r.events(), []);
  });

  it('mirrors every event as one JSON line in <outDir>/<tag>.jsonl, and keeps hostile tags out of the path', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'devo-out-'));
    cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
    const r = await receiver({ outDir });
    const messages = rows.map((row) => JSON.stringify(row));
    await sendSyslogBatch([...messages.map((m) => frame(m)), Buffer.from('<14>Jan  1 00:00:00 h ../../escape: x\n')], { transport: 'tcp', host: '127.0.0.1', port: r.tcpPort! });
    const lines = readFileSync(join(outDir, `${TAG}.jsonl`), 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { message: string }).message), messages);
    assert.deepEqual(readdirSync(outDir).sort(), ['_unsafe-tag.jsonl', `${TAG}.jsonl`]);
  });

  it('closes a connection left idle for idleTimeoutMs, as the Devo balancer does', async () => {
    const r = await receiver({ idleTimeoutMs: 200 });
    const socket = netConnect({ host: '127.0.0.1', port: r.tcpPort! });
    const client = await rawClient(socket);
    assert.equal(await client.ended, 'end');
    socket.destroy();
  });

  it('stopListening resets open connections (an outage), resumeListening serves the same ports again', async () => {
    const r = await receiver({ http: {} });
    const ports = [r.tlsPort, r.tcpPort, r.httpPort];
    const socket = netConnect({ host: '127.0.0.1', port: r.tcpPort! });
    const client = await rawClient(socket);
    socket.write(frame('in flight'));
    await waitUntil(() => r.events().length === 1, { intervalMs: 5, what: 'the first event' });
    await r.stopListening();
    assert.equal(await client.ended, 'ECONNRESET', 'abrupt, not a graceful close that would confirm');
    await r.resumeListening();
    assert.deepEqual([r.tlsPort, r.tcpPort, r.httpPort], ports);
    await sendSyslogBatch([frame('after')], { transport: 'tcp', host: '127.0.0.1', port: r.tcpPort! });
    assert.deepEqual(r.events().map((e) => e.message), ['in flight', 'after']);
  });

  it('stallAfterEvents stops reading mid-stream and never confirms that connection, idle timeout or not; the next one is served', async () => {
    const stalls: number[] = [];
    const r = await receiver({ stallAfterEvents: 500, idleTimeoutMs: 200, onStall: (n) => stalls.push(n) });
    const target = { transport: 'tcp' as const, host: '127.0.0.1', port: r.tcpPort! };
    const big = Array.from({ length: 2_000 }, (_, i) => frame(JSON.stringify({ MessageTraceId: `big-${i}`, pad: 'x'.repeat(200) })));
    // An idle close would end our side, which the sender would take for a confirmation; held, it times out.
    await assert.rejects(sendSyslogBatch(big, target, { confirmTimeoutMs: 1_000 }), { name: 'DevoConfirmationTimeout' });
    assert.equal(stalls.length, 1);
    assert.ok(stalls[0]! >= 500 && stalls[0]! < 2_000, `stalled part-way through the batch, after ${stalls[0]} events`);
    assert.equal(r.events().length, stalls[0], 'nothing more was read from the held connection');
    assert.equal(r.stats().held, 1);
    await sendSyslogBatch([frame('after')], target);
    assert.equal(r.events().at(-1)?.message, 'after');
  });

  describe('HTTP stream ingestion', () => {
    const post = (port: number, path: string, body: Buffer, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body, headers }).then(async (res) => ({ status: res.status, text: await res.text() }));

    it('accepts newline-separated events, gzip or not, under the tag and host of the URL: 200', async () => {
      const r = await receiver({ http: { token: 'tok123', domain: 'acme' } });
      const messages = rows.filter((_, i) => i % 9 !== 0).map((row) => JSON.stringify(row));
      const plain = await post(r.httpPort!, `/stream/acme/token!tok123/host-a/${TAG}`, Buffer.from(`${messages.slice(0, 10).join('\r\n')}\r\n`));
      const zipped = await post(r.httpPort!, `/stream/acme/token!tok123/host-b/${TAG}`, gzipSync(`${messages.slice(10).join('\n')}\n`), { 'content-encoding': 'gzip' });
      assert.deepEqual([plain.status, zipped.status], [200, 200]);
      assert.deepEqual(r.eventsForTag(TAG).map((e) => e.message), messages);
      assert.deepEqual([...new Set(r.events().map((e) => `${e.transport} ${e.hostname}`))], ['http host-a', 'http host-b']);
    });

    it("accepts the collector's own httpTransport, with messages as text or as UTF-8 bytes (unpacked pages)", async () => {
      const r = await receiver({ http: { token: 'tok123', domain: 'acme' } });
      const messages = rows.slice(1, 30).map((row) => JSON.stringify(row));
      const events = messages.map((message, i) => ({ tag: TAG, hostname: 'collector-1', timestamp: 0, message: i % 2 ? Buffer.from(message) : message }));
      await httpTransport({ url: `http://127.0.0.1:${r.httpPort}`, domain: 'acme', token: 'tok123' }).sendBatch(events);
      assert.deepEqual(r.eventsForTag(TAG).map((e) => e.message), messages);
    });

    it('refuses a wrong token (401), another domain (403), an unknown path (404), a GET (405), a bad gzip (400), over 32 MB (413)', async () => {
      const r = await receiver({ http: { token: 'tok123', domain: 'acme' } });
      const body = Buffer.from('{"a":1}\n');
      assert.equal((await post(r.httpPort!, `/stream/acme/token!wrong/h/${TAG}`, body)).status, 401);
      assert.equal((await post(r.httpPort!, `/stream/other/token!tok123/h/${TAG}`, body)).status, 403);
      assert.equal((await post(r.httpPort!, '/event/acme', body)).status, 404);
      assert.equal((await fetch(`http://127.0.0.1:${r.httpPort}/stream/acme/token!tok123/h/${TAG}`)).status, 405);
      assert.equal((await post(r.httpPort!, `/stream/acme/token!tok123/h/${TAG}`, body, { 'content-encoding': 'gzip' })).status, 400);
      const huge = await post(r.httpPort!, `/stream/acme/token!tok123/h/${TAG}`, Buffer.alloc(32 * 1024 * 1024 + 1, 0x61)).catch((err: Error) => ({ status: 0, text: err.message }));
      assert.equal(huge.status, 413);
      assert.equal(r.events().length, 0);
    });
  });
});
