import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Config } from '../../config/schema.js';
import { generateCertificateSet } from '../../devo/certificates.js';
import { DEFAULT_MAX_EVENT_BYTES } from '../../devo/framing.js';
import { syslogTransport } from '../../devo/transport.js';
import { startDevoReceiver } from '../../emulator/devo-receiver/index.js';
import type { TraceRecord } from '../../microsoft/records.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { activityDepsFromConfig } from '../../worker/activity-deps.js';
import { createCollectorWorker } from '../../worker/create-worker.js';
import type { messageTraceCollector } from '../../workflows/index.js';
import { statusQuery } from '../../workflows/messages.js';
import type { CollectorStatus } from '../../workflows/state.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { graphPages, graphRow, noise } from '../helpers/graph-pages.js';
import { localHttpServer } from '../helpers/local-http-server.js';
import { temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitUntil } from '../helpers/wait-until.js';

const MIN = 60_000;
const TAG = 'cloud.office365.messagetracing';

describe('oversized rows in the collector', () => {
  it('a 3 MB row and a page of large rows: the big row goes to the dead-letter file, every other row is delivered once, and no step fails', async (t) => {
    const env = await temporalTestEnv();
    const start = alignDown(Date.now() - 35 * MIN, 5 * MIN);
    const tick = (ms: number) => new Date(start + ms).toISOString().replace(/Z$/, '0000Z');
    // All in the first window: near-limit rows that do not compress (two fit one pull), then the 3 MB row, then small ones.
    const large = Array.from({ length: 7 }, (_, i) => graphRow(`large-${i}`, tick(200_000 + i * 1000), noise(DEFAULT_MAX_EVENT_BYTES - 4096)));
    const huge = graphRow('huge', tick(150_000), noise(3 * 1024 * 1024));
    const small = Array.from({ length: 40 }, (_, i) => graphRow(`small-${i}`, tick(10_000 + i * 1000)));
    const graph = await localHttpServer(t, graphPages([...large, huge, ...small], true));
    const certs = await generateCertificateSet();
    const receiver = await startDevoReceiver({ tls: { port: 0, certs } });
    t.after(() => receiver.close());

    const tenantId = `oversized-${Date.now()}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'o365-oversized-'));
    const microsoft = { tenantId, clientId: 'c', clientSecret: 's', source: 'graph' as const, loginUrl: graph.url, graphUrl: graph.url, reportingUrl: graph.url, start: '1h', windowMs: 5 * MIN, lagMs: 15 * MIN, pageSize: 100, retentionMarginMs: 3_600_000 };
    const cfg: Config = { microsoft, devo: { transport: 'tls', address: '127.0.0.1', port: 0, tag: TAG, hostname: 'h', batchSize: 100 }, temporal: { namespace: 'default', taskQueue: 'q' }, dataDir, demo: false };
    const devo = syslogTransport({ transport: 'tls', host: '127.0.0.1', port: receiver.tlsPort!, cert: certs.clientCert, key: certs.clientKey, ca: certs.caCert });
    const taskQueue = uniqueTaskQueue(t.name);
    const worker = await createCollectorWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, dataConverter: env.dataConverter, deps: activityDepsFromConfig(cfg, devo), workflowBundle: env.workflowBundle });

    const status = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof messageTraceCollector>('messageTraceCollector', {
        workflowId: `o365-message-trace/${tenantId}`,
        taskQueue,
        args: [{ settings: { tenantId, source: 'graph', windowMs: 5 * MIN, lagMs: 15 * MIN, pageSize: 100, blockedRetryMs: 1_000, errorRetryMs: 1_000 }, start: iso(start) }],
      });
      const done = await waitUntil(async () => {
        const s: CollectorStatus = await handle.query(statusQuery);
        return s.caughtUp ? s : undefined;
      }, { timeoutMs: 120_000, intervalMs: 250, what: 'collector caught up' });
      await handle.terminate('test done');
      return done;
    });

    assert.equal(status.lastError, undefined, 'no step failed');
    const delivered = receiver.eventsForTag(TAG).map((e) => JSON.parse(e.message) as TraceRecord);
    const account = accountFor(delivered, [...large, ...small] as unknown as TraceRecord[]);
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length, account.altered.length], [0, 0, 0, 0], summary(account));
    const letters = readFileSync(join(dataDir, 'dead-letter', `${TAG}.jsonl`), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { reason: string; record: { id: string } });
    assert.deepEqual(letters.map((l) => [l.reason, l.record.id]), [['oversize', 'huge']]);
    assert.equal(status.totals.deadLettered, 1, 'status counts it');
  });
});
