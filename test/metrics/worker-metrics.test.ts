import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { Config } from '../../config/schema.js';
import { generateCertificateSet } from '../../devo/certificates.js';
import { reportDevoCertificateExpiry } from '../../worker/devo-certificate-gauge.js';
import { freePort } from '../../dev-server/start-dev-server.js';
import { SERIES } from '../../metrics/series.js';
import { prometheusTelemetry } from '../../metrics/prometheus.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { progressGauges } from '../../workflows/metrics.js';
import type { CollectorSettings, CollectorState } from '../../workflows/state.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { activityOverlap } from '../helpers/history-shape.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';
import { temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitUntil } from '../helpers/wait-until.js';
import type { reportProgressOnce } from './progress-workflow.js';
import { matching, parseExposition, scrape, total, type Exposition } from './exposition.js';

const MIN = 60_000;
let metricsAddress = '';

// This file runs in its own process, so it installs the Runtime itself, with the Prometheus exporter.
before(async () => {
  metricsAddress = `127.0.0.1:${await freePort()}`;
  await temporalTestEnv(prometheusTelemetry(metricsAddress));
});

/** Scrapes until `ready` holds, since an exporter may lag a moment behind the last activity. */
async function scrapeUntil(ready: (e: Exposition) => boolean): Promise<Exposition> {
  return waitUntil(
    async () => {
      const exposition = parseExposition(await scrape(metricsAddress));
      return ready(exposition) ? exposition : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: 'the metrics endpoint to show the run' },
  );
}

const sumByPrefix = (counts: Record<string, number>, prefix: string) =>
  Object.entries(counts).reduce((sum, [key, n]) => sum + (key.startsWith(prefix) ? n : 0), 0);

describe('the worker serves Prometheus metrics', () => {
  it("the collector's counters agree with what the emulator served and the receiver got, 429s included", async (t) => {
    const now = Date.now();
    const start = alignDown(now - 40 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 3_000, startMs: start, endMs: now }) });
    f.emulator.faults.add({ target: 'graph', kind: 'throttle', retryAfterSeconds: 1, count: 2, skipRequests: 2 });
    const status = await f.collectUntilCaughtUp({ start: iso(start), pageSize: 200 });
    const delivered = f.delivered();
    const tenant = { tenant_id: f.tenantId };
    const m = await scrapeUntil((e) => total(e, SERIES.recordsDelivered.name, tenant) === delivered.length);

    const account = accountFor(delivered, graphTruth(f.emulator, start, Date.parse(status.cursor)));
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length], [0, 0, 0], summary(account));
    const served = f.emulator.stats();
    assert.equal(total(m, SERIES.recordsPulled.name, tenant), served.rowsServed, 'records pulled = rows the emulator served');
    assert.equal(total(m, SERIES.recordsPulled.name, tenant), delivered.length, 'pulled = delivered');
    assert.equal(total(m, SERIES.pagesPulled.name, tenant), served.pagesServed, 'pages pulled = pages the emulator served');
    assert.equal(total(m, SERIES.pagesPulled.name, tenant), status.totals.pages);

    const calls = (activityType: string, outcome?: string) => total(m, SERIES.microsoftCalls.name, { ...tenant, activityType, ...(outcome ? { outcome } : {}) });
    assert.equal(calls('pullPage'), sumByPrefix(served.requests, 'graph '), `pullPage calls = Graph requests served: ${JSON.stringify(served.requests)}`);
    assert.equal(calls('fetchToken'), sumByPrefix(served.requests, 'token '), 'fetchToken calls = token requests served');
    assert.equal(served.requests['graph 429'], 2, 'the emulator injected two 429s');
    assert.equal(total(m, SERIES.microsoftThrottled.name, tenant), 2, '429 counter = throttles injected');
    assert.equal(calls('pullPage', 'Throttled'), 2);
    assert.equal(calls('pullPage', 'ok'), served.pagesServed);

    const history = await f.env.client.workflow.getHandle(`o365-message-trace/${f.tenantId}`).fetchHistory();
    assert.equal(total(m, SERIES.devoSends.name, { ...tenant, outcome: 'ok' }), activityOverlap(history).sends, 'one confirmed send per sendToDevo in the history');
    assert.equal(total(m, SERIES.recordsResent.name, tenant), 0);
    assert.equal(total(m, SERIES.deadLetters.name, { ...tenant, reason: 'oversize' }), 0);
    assert.equal(m.types.get(SERIES.recordsDelivered.name), 'counter');
    for (const sample of matching(m, SERIES.recordsDelivered.name, tenant)) {
      assert.equal(sample.labels.taskQueue, f.taskQueue, 'the SDK tags our series with the task queue');
    }
    assert.ok(m.samples.some((s) => s.name.startsWith('temporal_activity_')), "the SDK's runtime metrics are on the same endpoint");

    const text = await scrape(metricsAddress);
    for (const secret of [f.config.microsoft.clientSecret, new URL(f.emulator.url).host, `:${f.receiver.tlsPort}`]) {
      assert.ok(!text.includes(secret), 'the metrics name no secret and no address');
    }

    await t.test('the collector reports its lag per tenant', async () => {
      const lag = matching(await scrapeUntil(() => true), SERIES.lag.name, tenant);
      assert.equal(lag.length, 1, `one ${SERIES.lag.name} series for the tenant`);
    });
  });

  it("reportProgress sets the tenant's gauges from the workflow state", async (t) => {
    const env = await temporalTestEnv();
    const workflowsPath = fileURLToPath(new URL('./progress-workflow.ts', import.meta.url));
    const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    const taskQueue = uniqueTaskQueue(t.name);
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, dataConverter: env.dataConverter });
    const before = Date.now();
    const settings: CollectorSettings = { tenantId: `tenant-${taskQueue.slice(-8)}`, source: 'graph', windowMs: 5 * MIN, lagMs: 15 * MIN, pageSize: 500 };
    const state: CollectorState = {
      cursor: iso(alignDown(before - 2 * 60 * MIN, 5 * MIN)),
      totals: { records: 0, pages: 0, windows: 0, apiCalls: 0, tokenFetches: 0, resent: 0, oversize: 0 },
      // Three calls inside the 5-minute budget window (for the next four minutes), two long gone.
      recentCalls: [before - 30 * MIN, before - 20 * MIN, before - 30_000, before - 20_000, before - 10_000],
      backfill: { pending: [{ from: iso(before - 3 * 60 * MIN), to: iso(before - 150 * MIN) }], deliveredMs: 0 },
      lastError: { type: 'PermissionMissing', message: 'Forbidden', hint: 'grant the permission', at: iso(before) },
      startedAt: iso(before),
      credential: { kind: 'certificate', setting: 'O365_CLIENT_CERTIFICATE_FILE', expiresAt: iso(before + 12.5 * 86_400_000) },
    };
    await worker.runUntil(
      env.client.workflow.execute<typeof reportProgressOnce>('reportProgressOnce', { taskQueue, workflowId: `progress-${taskQueue}`, args: [settings, state] }),
    );
    const after = Date.now();
    const tenant = { tenant_id: settings.tenantId };
    const m = await scrapeUntil((e) => matching(e, SERIES.needsOperator.name, tenant).length > 0);
    const expected = progressGauges(settings, state, before);
    const value = (key: keyof typeof expected) => {
      const samples = matching(m, SERIES[key].name, tenant);
      assert.equal(samples.length, 1, `one ${SERIES[key].name} sample for the tenant`);
      assert.equal(samples[0]!.labels.workflowType, 'reportProgressOnce');
      return samples[0]!.value;
    };
    assert.equal(value('cursor'), Date.parse(state.cursor) / 1000);
    assert.equal(value('budgetUsed'), 3);
    assert.equal(value('budgetLimit'), 90);
    assert.equal(value('backfillPending'), 30 * 60);
    assert.equal(value('needsOperator'), 1);
    const lag = value('lag');
    assert.ok(lag >= expected.lag && lag <= progressGauges(settings, state, after).lag, `lag ${lag} s is now - cursor at the workflow's clock`);
    assert.equal(m.types.get(SERIES.lag.name), 'gauge');
    assert.equal(matching(m, SERIES.credentialExpiry.name, tenant)[0]?.value, 12, 'days left on the client certificate');

    // The worker's own gauge: the Devo domain certificate's days left, per tenant, on the same endpoint.
    const dir = mkdtempSync(join(tmpdir(), 'o365-devo-gauge-'));
    writeFileSync(join(dir, 'devo.pem'), (await generateCertificateSet({ days: 40 })).clientCert);
    const devo = { transport: 'tls', address: 'x', port: 443, tag: 't', hostname: 'h', batchSize: 1, certPath: join(dir, 'devo.pem') } as const;
    reportDevoCertificateExpiry({ microsoft: { tenantId: settings.tenantId }, devo } as unknown as Config, Runtime.instance().metricMeter);
    const d = await scrapeUntil((e) => matching(e, SERIES.devoCertificateExpiry.name, tenant).length > 0);
    assert.ok([39, 40].includes(matching(d, SERIES.devoCertificateExpiry.name, tenant)[0]!.value), 'days left on the Devo certificate');
  });
});
