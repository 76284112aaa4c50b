/**
 * `npx tsx bench/devo-sender.ts [batches]`: what confirmation costs. Sends the same frames (batches of
 * 1000 JSON records of ~400 bytes) over mutual TLS to the local receiver twice in one run: with
 * sendSyslogBatch (a connection per batch, half-close, wait for the receiver's EOF), and with a bare
 * tls.connect write loop on one connection that ends when the last byte is handed to the kernel. Both
 * runs are checked against the receiver's count, then records/s and their ratio are printed.
 */
import { once } from 'node:events';
import { connect } from 'node:tls';
import { generateCertificateSet } from '../devo/certificates.js';
import { frameEvent } from '../devo/framing.js';
import { sendSyslogBatch } from '../devo/syslog-sender.js';
import { startDevoReceiver, type DevoReceiver } from '../emulator/devo-receiver/index.js';

const BATCH = 1_000;
const batches = Number(process.argv[2] ?? 40);
const TAG = 'cloud.office365.messagetracing';

function record(i: number): string {
  // Shaped like a Graph messageTrace row, padded to about 400 bytes.
  const row = { id: `9f1c2a3b-0000-4000-8000-${String(i).padStart(12, '0')}`, senderAddress: 'alerts@fabrikam.com', recipientAddress: `user${i}@contoso.com`, subject: `Quarterly report ${i}`, status: 'delivered', size: 1000 + i, fromIP: '203.0.113.7', toIP: '198.51.100.2', receivedDateTime: '2026-11-24T10:00:00.1234567Z', pad: '' };
  row.pad = 'x'.repeat(Math.max(0, 400 - JSON.stringify(row).length));
  return JSON.stringify(row);
}

async function waitForCount(receiver: DevoReceiver, count: number): Promise<void> {
  while (receiver.stats().events < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function main(): Promise<void> {
  const certs = await generateCertificateSet();
  const receiver = await startDevoReceiver({ tls: { certs } });
  const target = { transport: 'tls' as const, host: '127.0.0.1', port: receiver.tlsPort!, cert: certs.clientCert, key: certs.clientKey, ca: certs.caCert };
  const frameBatches = Array.from({ length: batches }, (_, b) => Array.from({ length: BATCH }, (_, i) => frameEvent({ tag: TAG, hostname: 'bench', timestamp: Date.now(), message: record(b * BATCH + i) })));
  const total = batches * BATCH;
  const bytes = frameBatches.flat().reduce((sum, f) => sum + f.length, 0);
  await sendSyslogBatch(frameBatches[0]!.slice(0, 10), target); // warm-up: TLS session, JIT
  receiver.clear();

  let started = performance.now();
  for (const frames of frameBatches) await sendSyslogBatch(frames, target);
  const confirmedMs = performance.now() - started;
  if (receiver.stats().events !== total) throw new Error(`confirmed run: the receiver has ${receiver.stats().events} records, ${total} were sent`);
  receiver.clear();

  const before = receiver.stats().events;
  started = performance.now();
  const socket = connect({ host: target.host, port: target.port, cert: target.cert, key: target.key, ca: target.ca });
  await once(socket, 'secureConnect');
  for (const frame of frameBatches.flat()) if (!socket.write(frame)) await once(socket, 'drain');
  socket.end();
  await once(socket, 'finish'); // the bare sender's idea of "sent"
  const bareMs = performance.now() - started;
  await waitForCount(receiver, before + total); // ground truth for the bare run, outside its timing
  socket.destroy();

  const rate = (ms: number) => Math.round(total / (ms / 1000));
  console.log(`${total} records, ${(bytes / 1e6).toFixed(1)} MB, ${batches} batches of ${BATCH}, mutual TLS on loopback, node ${process.version}`);
  console.log(`confirmed (sendSyslogBatch):  ${rate(confirmedMs)} records/s, ${(confirmedMs / batches).toFixed(1)} ms per batch`);
  console.log(`bare write loop, unconfirmed: ${rate(bareMs)} records/s`);
  console.log(`ratio confirmed/bare: ${(bareMs / confirmedMs).toFixed(2)}`);
  await receiver.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
