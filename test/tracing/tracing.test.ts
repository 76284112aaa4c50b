import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import { Worker } from '@temporalio/worker';
import { startCollector } from '../../client/start-collector.js';
import { createDataConverter } from '../../codec/data-converter.js';
import { collectorWorkflowId } from '../../config/temporal.js';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { clientTracingInterceptors } from '../../tracing/client-interceptors.js';
import { flushTracing, startTracing } from '../../tracing/otel.js';
import { bundleWorkflows } from '../../worker/create-worker.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { settledDataset } from '../helpers/ground-truth.js';
import { temporalTestEnv } from '../helpers/temporal.js';
import { waitUntil } from '../helpers/wait-until.js';
import { REPLAY_KEY } from '../replay/history-files.js';

const MIN = 60_000;

interface ReceivedSpan {
  readonly name: string;
  readonly traceId: string;
  readonly service?: string;
}

/** A local OTLP/HTTP receiver: collects the spans POSTed as OTLP JSON to /v1/traces; closed after the test. */
async function otlpReceiver(t: TestContext): Promise<{ url: string; spans: ReceivedSpan[]; paths: string[] }> {
  const spans: ReceivedSpan[] = [];
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      type Body = { resourceSpans?: { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] }; scopeSpans?: { spans?: { name: string; traceId: string }[] }[] }[] };
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Body;
      for (const rs of body.resourceSpans ?? []) {
        const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
        for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) spans.push({ name: span.name, traceId: span.traceId, service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, paths };
}

describe('OpenTelemetry tracing', () => {
  it('exports spans for the collector workflow and each activity type over OTLP/HTTP, in the trace of the client that started it', async (t) => {
    const receiver = await otlpReceiver(t);
    const tracingConfig = { tracing: { endpoint: receiver.url, serviceName: 'o365-trace-test' } };
    const tracing = startTracing(tracingConfig)!;
    const now = Date.now();
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 600, startMs: now - 3 * 60 * MIN, endMs: now }) }, 'graph', {}, {
      worker: { tracing, workflowBundle: await bundleWorkflows({ tracing: true }) },
    });
    const env = await temporalTestEnv();
    const client = new Client({ connection: env.client.connection, dataConverter: env.dataConverter, interceptors: clientTracingInterceptors(tracingConfig) });
    await f.worker.runUntil(async () => {
      // A run's span ends with the run: continue-as-new after three windows ends one within the test.
      await startCollector(client, f.config, { testContinueAsNewEveryWindows: 3 });
      const handle = client.workflow.getHandle(collectorWorkflowId(f.tenantId));
      await f.waitForStatus(handle, (s) => s.caughtUp && s.totals.windows > 3);
      await handle.terminate('test done');
    });
    await flushTracing();
    const names = () => new Set(receiver.spans.map((s) => s.name));
    const wanted = ['StartWorkflow:messageTraceCollector', 'RunWorkflow:messageTraceCollector', 'StartActivity:fetchToken', 'RunActivity:fetchToken', 'StartActivity:pullPage', 'RunActivity:pullPage', 'StartActivity:sendToDevo', 'RunActivity:sendToDevo'];
    await waitUntil(() => wanted.every((n) => names().has(n)), { what: 'spans at the OTLP receiver', explain: () => [...names()].join(', ') });
    assert.ok(receiver.paths.every((p) => p.startsWith('POST /v1/traces application/json')), receiver.paths.join('\n'));
    assert.ok(receiver.spans.every((s) => s.service === 'o365-trace-test'));
    const trace = (name: string) => receiver.spans.find((s) => s.name === name)!.traceId;
    assert.equal(trace('RunWorkflow:messageTraceCollector'), trace('StartWorkflow:messageTraceCollector'), 'the workflow joins the trace of the client that started it');
    assert.equal(trace('RunActivity:pullPage'), trace('StartWorkflow:messageTraceCollector'), 'and so do its activities');
  });
});

describe('turning tracing on for running collectors', () => {
  it('histories recorded without tracing replay with the tracing interceptors in the bundle', async () => {
    const dir = join(PROJECT_ROOT, 'test/replay/histories');
    const histories = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((file) => ({ workflowId: file, history: JSON.parse(readFileSync(join(dir, file), 'utf8')) as object }));
    const tracing = startTracing({ tracing: { endpoint: 'http://127.0.0.1:9', serviceName: 'replay' } })!;
    const options = { workflowBundle: await bundleWorkflows({ tracing: true }), dataConverter: createDataConverter(REPLAY_KEY), sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } };
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(options, histories)) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
      replayed++;
    }
    assert.ok(replayed >= 2, `${replayed} histories`);
  });
});
