import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificateSet, writeCertificateSet } from '../../devo/certificates.js';
import { startDevoReceiver } from '../../emulator/devo-receiver/index.js';
import { startMicrosoftEmulator } from '../../emulator/microsoft-365/index.js';
import { alignDown, iso } from '../../time-windows/index.js';
import type { messageTraceCollector } from '../../workflows/index.js';
import { statusQuery } from '../../workflows/messages.js';
import type { CollectorStatus } from '../../workflows/state.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';
import { temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitUntil } from '../helpers/wait-until.js';
import { WorkerProcesses, workerEnvironment } from '../helpers/worker-processes.js';

const MIN = 60_000;
const TAG = 'cloud.office365.messagetracing';
const BATCH = 250;

describe('a worker process killed mid-run', () => {
  it('SIGKILL of the worker: another worker process carries on, nothing lost, duplicates within one batch', async (t) => {
    const env = await temporalTestEnv();
    const now = Date.now();
    const start = alignDown(now - 120 * MIN, 5 * MIN);
    const emulator = await startMicrosoftEmulator({ clientId: 'crash-client', clientSecret: 'crash-secret', dataset: settledDataset({ records: 26_000, startMs: start, endMs: now }) });
    const certs = await generateCertificateSet();
    const paths = await writeCertificateSet(certs, mkdtempSync(join(tmpdir(), 'o365-crash-certs-')));
    const receiver = await startDevoReceiver({ tls: { certs } });
    t.after(async () => {
      await receiver.close();
      await emulator.close();
    });
    const tenantId = `crash-${Date.now()}`;
    const taskQueue = uniqueTaskQueue(t.name);
    const workers = new WorkerProcesses(
      workerEnvironment({
        tenantId,
        clientId: 'crash-client',
        clientSecret: 'crash-secret',
        taskQueue,
        temporalAddress: env.address,
        emulatorUrl: emulator.url,
        receiverPort: receiver.tlsPort!,
        certs: paths,
        batchSize: BATCH,
        dataDir: mkdtempSync(join(tmpdir(), 'o365-crash-data-')),
      }),
    );
    t.after(() => workers.killAll());

    const handle = await env.client.workflow.start<typeof messageTraceCollector>('messageTraceCollector', {
      workflowId: `o365-message-trace/${tenantId}`,
      taskQueue,
      args: [{ settings: { tenantId, source: 'graph', windowMs: 5 * MIN, lagMs: 15 * MIN, pageSize: 500 }, start: iso(start) }],
    });
    const status = async (done: (s: CollectorStatus) => boolean, timeoutMs = 240_000) => {
      try {
        return await waitUntil(async () => {
          const s = await handle.query(statusQuery).catch(() => undefined);
          return s && done(s) ? s : undefined;
        }, { timeoutMs, intervalMs: 100, what: 'collector status' });
      } catch (err) {
        throw new Error(`${(err as Error).message}; worker stderr: ${workers.stderr()}`);
      }
    };

    const first = workers.start();
    // Kill it while it is busy: a page is being pulled or sent at almost every instant of a run.
    const beforeKill = await status((s) => s.totals.pages >= 8, 60_000);
    first.kill('SIGKILL');
    // Queries need a live worker too: the next answer comes from the replacement.
    workers.start();
    const pagesAtKill = beforeKill.totals.pages;
    const done = await status((s) => s.caughtUp, 480_000);
    await handle.terminate('test done');

    assert.ok(pagesAtKill < done.totals.pages, 'the second worker did part of the work');
    const expected = graphTruth(emulator, start, Date.parse(done.cursor));
    assert.ok(expected.length >= 20_000, `${expected.length} records in range`);
    const delivered = receiver.eventsForTag(TAG).map((e) => JSON.parse(e.message) as Record<string, unknown>);
    const account = accountFor(delivered, expected);
    assert.deepEqual([account.missing.length, account.unexpected.length, account.altered.length], [0, 0, 0], summary(account));
    assert.ok(account.duplicates <= BATCH, `duplicates ${account.duplicates} within one batch (${BATCH})`);
    t.diagnostic(`${summary(account)}; pages before the kill ${pagesAtKill}, after ${done.totals.pages}`);
  });
});
