/**
 * One of the bench's stand-ins in a process of its own, as Microsoft and Devo are separate machines in
 * real life: in one process with each other they would take turns on one core, and pulling one page
 * while sending another could not overlap. Started by bench/collector-vs-bare.ts with a JSON argument:
 *   { "kind": "emulator", "clientId", "clientSecret", "dataset": DatasetOptions }  prints `url <url>`
 *   { "kind": "receiver", "certsDir" }                                             prints `port <port>`
 * The receiver answers `count <tag>` with `count <n>` and `keys <tag> <file>` by writing the (id,
 * recipient) key of every event under the tag to the file, one per line, then `keys written`.
 */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadOrCreateCertificateSet } from '../devo/certificates.js';
import { startDevoReceiver } from '../emulator/devo-receiver/index.js';
import { startMicrosoftEmulator, type DatasetOptions } from '../emulator/microsoft-365/index.js';
import { recordKey, type TraceRecord } from '../microsoft/records.js';

type Service = { kind: 'emulator'; clientId: string; clientSecret: string; dataset: DatasetOptions } | { kind: 'receiver'; certsDir: string };

// A bench stopped without its cleanup (Ctrl-C, a crash) must not leave this service running.
const parentPid = process.ppid;
setInterval(() => process.ppid !== parentPid && process.exit(0), 1000).unref();

const service = JSON.parse(process.argv[2]!) as Service;
if (service.kind === 'emulator') {
  const emulator = await startMicrosoftEmulator({ clientId: service.clientId, clientSecret: service.clientSecret, quota: null, dataset: service.dataset });
  console.log(`url ${emulator.url}`);
} else {
  const { set } = await loadOrCreateCertificateSet(service.certsDir);
  const receiver = await startDevoReceiver({ tls: { certs: set } });
  console.log(`port ${receiver.tlsPort}`);
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, tag, file] = line.split(' ');
    if (command === 'count') console.log(`count ${receiver.stats().byTag[tag!] ?? 0}`);
    if (command === 'keys') {
      writeFileSync(file!, receiver.eventsForTag(tag!).map((e) => recordKey(JSON.parse(e.message) as TraceRecord)).join('\n'));
      receiver.clear();
      console.log('keys written');
    }
  }
}
