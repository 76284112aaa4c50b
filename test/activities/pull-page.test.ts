import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ServedTenants } from '../../activities/deps.js';
import { createActivities } from '../../activities/index.js';
import { unpackEvents } from '../../records/packed-lines.js';
import { MAX_CHUNK_BYTES } from '../../activities/pull-page.js';
import type { PulledPage } from '../../contracts/activity-io.js';
import { createDataConverter } from '../../codec/data-converter.js';
import { payloadConverter } from '../../codec/payload-converter.js';
import { generateDataset } from '../../emulator/microsoft-365/index.js';
import { CLIENT_ID, CLIENT_SECRET, HOUR, suiteEmulator } from '../fixtures/microsoft/emulator-fixture.js';
import { devoActivityDeps, TEST_TAG, unusedMicrosoft } from '../helpers/devo-activity-deps.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';

/** The payload limit the issue sets for page size 1,000: every payload, after the codec, at most 256 KB. */
const PAYLOAD_LIMIT = 256 * 1024;
const endMs = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
const window = { startMs: endMs - 2 * HOUR, endMs };
const dataset = generateDataset(settledDataset({ records: 12_000, startMs: window.startMs, endMs }));
const noSends = { description: 'none', sendBatch: () => Promise.reject(new Error('no sends here')) };

describe('pullPage chunks', () => {
  const emulator = suiteEmulator({ dataset });
  const activities = () =>
    createActivities(
      devoActivityDeps(noSends, {
        tenants: new ServedTenants([{ microsoft: unusedMicrosoft('contoso', { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, loginUrl: emulator().url, graphUrl: emulator().url, reportingUrl: emulator().url }), devo: { transport: noSends, tag: TEST_TAG } }]),
      }),
    );
  const pull = async (pageSize: number, maxPages: number): Promise<PulledPage> => {
    const env = new MockActivityEnvironment();
    const { accessToken } = (await env.run(activities().fetchToken, { tenantId: 'contoso', source: 'graph' as const })) as { accessToken: string };
    return (await env.run(activities().pullPage, { tenantId: 'contoso', source: 'graph' as const, window, pageSize, accessToken, page: 1, maxPages })) as PulledPage;
  };
  /** The bytes the server stores for a value: the payload converter's, then the codec's. */
  const codec = createDataConverter(randomBytes(32)).payloadCodecs![0]!;
  const storedBytes = async (value: unknown) => (await codec.encode([payloadConverter.toPayload(value)]))[0]!.data!.length;

  it('packs as many pages of 1,000 as stay under the chunk limit, and every payload stays under 256 KB', async () => {
    const chunk = await pull(1000, 4);
    const pages = chunk.pages ?? 1;
    const bytes = chunk.packed!.deflated!.length;
    // Records like Microsoft's pack to about 73 bytes each: three pages fit, a fourth would not.
    assert.equal(pages, 3, `${pages} pages, ${bytes} packed bytes`);
    assert.ok(bytes <= MAX_CHUNK_BYTES, `${bytes} packed bytes over the chunk limit ${MAX_CHUNK_BYTES}`);
    assert.ok(chunk.nextLink, 'the window goes on past the chunk');
    assert.deepEqual(unpackEvents(chunk.packed!).map((e) => (JSON.parse(e.json) as { id: string }).id), graphTruth(emulator(), window.startMs, window.endMs).slice(0, 3000).map((r) => r.id));
    const stored = await storedBytes(chunk);
    assert.ok(stored <= PAYLOAD_LIMIT, `${stored} bytes after the codec`);
    // The send's input carries the same packed bytes.
    assert.ok((await storedBytes({ tenantId: 'contoso', packed: chunk.packed, window, page: 1 })) <= PAYLOAD_LIMIT);
  });

  it('a page too large to pair stays a chunk of its own', async () => {
    const chunk = await pull(5000, 4);
    assert.equal(chunk.pages ?? 1, 1);
    assert.equal(chunk.packed!.count, 5000);
  });
});
