import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { unpackEvents } from '../../records/packed-lines.js';
import { createActivities } from '../../activities/index.js';
import type { PulledPage, PullPageInput } from '../../contracts/activity-io.js';
import type { Config } from '../../config/schema.js';
import { generateCertificateSet } from '../../devo/certificates.js';
import { syslogTransport, type DevoTransport } from '../../devo/transport.js';
import { startDevoReceiver } from '../../emulator/devo-receiver/index.js';
import { startMicrosoftEmulator } from '../../emulator/microsoft-365/index.js';
import { TOO_DEEP_ROW } from '../../microsoft/row-check.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { activityDepsFromConfig } from '../../worker/activity-deps.js';
import { createCollectorWorker } from '../../worker/create-worker.js';
import type { messageTraceCollector } from '../../workflows/index.js';
import { statusQuery } from '../../workflows/messages.js';
import type { CollectorStatus } from '../../workflows/state.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';
import { temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitUntil } from '../helpers/wait-until.js';
import { nestedArrays } from './hostile.js';

const MIN = 60_000;
const TAG = 'cloud.office365.messagetracing';
const WINDOW = { startMs: Date.UTC(2026, 10, 24, 10), endMs: Date.UTC(2026, 10, 24, 10, 5) };

/** Rows that are not message trace records, including one whose time no syslog header could carry. */
const BAD_GRAPH_ROWS = [
  null,
  42,
  'a bare string',
  ['an', 'array'],
  { id: 'no-recipient', receivedDateTime: '2026-11-24T10:01:00Z' },
  { recipientAddress: 'no-id@contoso.com', receivedDateTime: '2026-11-24T10:01:00Z' },
  { id: 'bad-time', recipientAddress: 'r@contoso.com', receivedDateTime: 'yesterday' },
  { id: 'unframeable-time', recipientAddress: 'r@contoso.com', receivedDateTime: '/Date(99999999999999999999)/' },
];
const DEEP = nestedArrays(100_000);

/** A tiny HTTP server answering every request with `body`; closed after the test. */
async function serve(t: TestContext, body: () => string): Promise<string> {
  const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function config(url: string, dataDir: string, tenantId = 't1'): Config {
  const microsoft = { tenantId, clientId: 'c', clientSecret: 's', loginUrl: url, graphUrl: url, reportingUrl: url, start: '1h', windowMs: 5 * MIN, lagMs: 15 * MIN, pageSize: 100, retentionMarginMs: 3_600_000 };
  return { microsoft: { ...microsoft, source: 'graph' }, devo: { transport: 'tls', address: '127.0.0.1', port: 0, tag: TAG, hostname: 'h', batchSize: 100 }, temporal: { namespace: 'default', taskQueue: 'q' }, dataDir, demo: false };
}

const unusedDevo: DevoTransport = { description: 'unused', sendBatch: () => Promise.reject(new Error('pullPage sends nothing')) };

function deadLetters(dataDir: string): Array<{ tenantId: string; reason: string; window: { startMs: number; endMs: number }; page: number; record: unknown }> {
  const text = readFileSync(join(dataDir, 'dead-letter', `${TAG}.jsonl`), 'utf8');
  return text.trim().split('\n').map((line) => JSON.parse(line) as never);
}

describe('a page with rows that are not message trace records', () => {
  for (const source of ['graph', 'reporting'] as const) {
    it(`${source}: pullPage returns the good rows and writes the others to the dead-letter file with the window and page`, async (t) => {
      const good =
        source === 'graph'
          ? [{ id: 'm1', recipientAddress: 'a@contoso.com', receivedDateTime: '2026-11-24T10:02:00.1234567Z', subject: 'ok' }]
          : [{ __metadata: { uri: 'x' }, MessageTraceId: 'm1', MessageId: null, RecipientAddress: 'a@contoso.com', Received: '/Date(1795514400000)/' }, { MessageId: '<m2@x>', RecipientAddress: 'b@contoso.com', Received: '2026-11-24T10:00:00.1234567' }];
      const bad = source === 'graph' ? BAD_GRAPH_ROWS : [null, { MessageTraceId: 'no-recipient', Received: '2026-11-24T10:00:00' }, { MessageTraceId: 'x', RecipientAddress: 'r@c.com', Received: '/Date(-5)/' }];
      const rows = [good[0], ...bad, ...good.slice(1)];
      const body = () => (source === 'graph' ? `{"value":[${rows.map((r) => JSON.stringify(r)).join(',')},${DEEP}]}` : `{"d":{"results":[${rows.map((r) => JSON.stringify(r)).join(',')},${DEEP}]}}`);
      const url = await serve(t, body);
      const dataDir = mkdtempSync(join(tmpdir(), 'o365-dead-letter-'));
      const activities = createActivities(activityDepsFromConfig(config(url, dataDir), unusedDevo));
      const input: PullPageInput = { tenantId: 't1', source, window: WINDOW, pageSize: 100, accessToken: 'tok', page: 3 };
      const page = (await new MockActivityEnvironment().run(activities.pullPage, input)) as PulledPage;

      const expectedRecords = good.map(({ __metadata: _m, ...r }: Record<string, unknown>) => r);
      assert.deepEqual(unpackEvents(page.packed!).map((e) => JSON.parse(e.json) as unknown), expectedRecords);
      assert.equal(page.deadLettered, bad.length + 1);
      const letters = deadLetters(dataDir);
      assert.deepEqual(letters.map((l) => l.record), [...bad, TOO_DEEP_ROW]);
      assert.ok(letters.every((l) => l.tenantId === 't1' && l.reason === 'unparseable' && l.page === 3 && l.window.startMs === WINDOW.startMs && l.window.endMs === WINDOW.endMs));
    });
  }

  it('the collector finishes every window, delivers every good record once, and keeps the bad rows in the dead-letter file', async (t) => {
    const env = await temporalTestEnv();
    const now = Date.now();
    const start = alignDown(now - 35 * MIN, 5 * MIN);
    const emulator = await startMicrosoftEmulator({ clientId: 'c', clientSecret: 's', dataset: settledDataset({ records: 800, startMs: start, endMs: now }) });
    const certs = await generateCertificateSet();
    const receiver = await startDevoReceiver({ tls: { port: 0, certs } });
    t.after(async () => {
      await receiver.close();
      await emulator.close();
    });
    // In front of Graph: the first page of the first windows gets the bad rows appended; next links point back here.
    let injected = 0;
    let proxyUrl = '';
    const proxy = createServer((req, res) => {
      void (async () => {
        const upstream = await fetch(`${emulator.url}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } });
        let text = (await upstream.text()).replaceAll(emulator.url, proxyUrl);
        const firstPage = upstream.status === 200 && req.url?.includes('messageTraces') && !/skiptoken/i.test(req.url);
        if (firstPage && injected < 3) {
          injected++;
          const page = JSON.parse(text) as { value: unknown[] };
          text = JSON.stringify({ ...page, value: [...page.value, ...BAD_GRAPH_ROWS] });
        }
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(text);
      })();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    t.after(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

    const tenantId = `dead-letter-${Date.now()}`;
    const taskQueue = uniqueTaskQueue(t.name);
    const dataDir = mkdtempSync(join(tmpdir(), 'o365-dead-letter-'));
    const base = config(emulator.url, dataDir, tenantId);
    const cfg: Config = { ...base, microsoft: { ...base.microsoft, graphUrl: proxyUrl } };
    const devo = syslogTransport({ transport: 'tls', host: '127.0.0.1', port: receiver.tlsPort!, cert: certs.clientCert, key: certs.clientKey, ca: certs.caCert });
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
      }, { timeoutMs: 240_000, intervalMs: 250, what: 'collector caught up' });
      await handle.terminate('test done');
      return done;
    });

    assert.equal(injected, 3);
    assert.equal(status.lastError, undefined, 'no step failed');
    const letters = deadLetters(dataDir);
    assert.deepEqual(letters.map((l) => l.record), [...BAD_GRAPH_ROWS, ...BAD_GRAPH_ROWS, ...BAD_GRAPH_ROWS]);
    assert.ok(letters.every((l) => l.reason === 'unparseable' && l.page === 1 && l.window.startMs >= start && l.window.endMs <= Date.parse(status.cursor)));
    assert.equal(new Set(letters.map((l) => l.window.startMs)).size, 3, 'one window each');
    assert.equal(status.totals.deadLettered, 3 * BAD_GRAPH_ROWS.length, 'status counts them');
    const delivered = receiver.eventsForTag(TAG).map((e) => JSON.parse(e.message) as Record<string, unknown>);
    const account = accountFor(delivered, graphTruth(emulator, start, Date.parse(status.cursor)));
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length, account.altered.length], [0, 0, 0, 0], summary(account));
  });
});
