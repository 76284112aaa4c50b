import { loadOrCreateCertificateSet } from '../../devo/certificates.js';
import { startDevoReceiver } from '../../emulator/devo-receiver/index.js';

/**
 * The project's Devo receiver in a process of its own, so a fault test can SIGKILL it mid-stream; what it
 * received survives in `<outDir>/<tag>.jsonl`. Like `o365-trace devo-receiver`, plus the stall hook, which
 * it reports on stdout (`stalled <events>`) after `listening <port>`.
 * Usage: receiver-process-main.ts '{"port":0,"certsDir":"…","outDir":"…","stallAfterEvents":5100}'
 */
// A test process that dies without its cleanup must not leave this receiver running.
const parentPid = process.ppid;
setInterval(() => process.ppid !== parentPid && process.exit(0), 1000).unref();

const { port, certsDir, outDir, stallAfterEvents } = JSON.parse(process.argv[2] ?? '{}') as { port: number; certsDir: string; outDir: string; stallAfterEvents?: number };
const { set } = await loadOrCreateCertificateSet(certsDir);
const receiver = await startDevoReceiver({
  tls: { port, certs: set },
  outDir,
  stallAfterEvents,
  onStall: (events) => console.log(`stalled ${events}`),
});
console.log(`listening ${receiver.tlsPort}`);
await new Promise<void>((done) => {
  process.once('SIGINT', done);
  process.once('SIGTERM', done);
});
await receiver.close();
