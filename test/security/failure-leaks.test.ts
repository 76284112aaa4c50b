import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import proto from '@temporalio/proto';
import { codecKey, EncryptionCodec } from '../../codec/codec.js';
import { payloadConverter } from '../../codec/payload-converter.js';
import { DevoHttpRejected } from '../../devo/errors.js';
import type { DevoTransport } from '../../devo/transport.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { settledDataset } from '../helpers/ground-truth.js';
import { waitUntil } from '../helpers/wait-until.js';
import { findLeaks, rawHistoryBytes } from './leaks.js';

const MIN = 60_000;
const { EventType } = proto.temporal.api.enums.v1;

describe('no secret in clear in failures', () => {
  it('a failure whose error names a secret-bearing URL leaves nothing in clear in history, and the key holder still reads method, host and path', async (t) => {
    const token = `leak-devo-token-${randomBytes(6).toString('hex')}`;
    const password = `leak-password-${randomBytes(6).toString('hex')}`;
    const signature = `leak-signature-${randomBytes(6).toString('hex')}`;
    const url = `https://collector:${password}@http-eu.devo.io/stream/acme/token!${token}/collector-test/cloud.office365.messagetracing?sig=${signature}`;
    // A transport whose error embeds the full URL, as a transport library's error may; the cause too.
    const devo: DevoTransport = {
      description: 'leaky test transport',
      sendBatch: () => Promise.reject(new DevoHttpRejected(`POST ${url}: 403`, 403, { cause: new Error(`request to ${url} refused`) })),
    };
    const now = Date.now();
    const start = alignDown(now - 30 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 50, startMs: start, endMs: now }) }, 'graph', {}, { devoTransport: devo });
    const handle = await f.worker.runUntil(async () => {
      const started = await f.start({ start: iso(start) });
      await waitUntil(async () => ((await started.fetchHistory()).events!.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED) ? true : undefined), {
        timeoutMs: 120_000,
        intervalMs: 250,
        what: 'the failed send in history',
      });
      return started;
    });
    await handle.terminate('test done');
    const history = await handle.fetchHistory();
    const failed = history.events!.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED)!.activityTaskFailedEventAttributes!.failure!;

    const needles = { 'Devo token': token, 'URL password': password, 'query signature': signature, 'the error text': 'http-eu.devo.io' };
    assert.deepEqual(findLeaks({ 'raw history': rawHistoryBytes(history) }, needles), []);
    assert.equal(failed.message, 'Encoded failure', 'the message is in the encrypted attributes');

    // Whoever holds the key (the codec server, for the UI) reads where the request went, without secrets.
    const codec = new EncryptionCodec([codecKey(f.env.payloadKey)]);
    const decoded = await codec.decode([failed, failed.cause!, failed.cause!.cause!].map((x) => x.encodedAttributes!));
    const text = decoded.map((p) => JSON.stringify(payloadConverter.fromPayload(p))).join('\n');
    assert.ok(text.includes('POST https://http-eu.devo.io/stream/acme/token!***/collector-test/cloud.office365.messagetracing?…: 403'), text);
    assert.deepEqual(findLeaks({ 'decoded failure': text }, { 'Devo token': token, 'URL password': password, 'query signature': signature }), []);
  });
});
