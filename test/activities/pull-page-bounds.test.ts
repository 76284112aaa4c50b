import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ApplicationFailure } from '@temporalio/common';
import { describe, it } from 'node:test';
import { unpackEvents } from '../../records/packed-lines.js';
import { MAX_PULLED_BYTES } from '../../activities/pull-page.js';
import { MAX_NEXT_LINK_CHARS } from '../../microsoft/next-link.js';
import { FailureType } from '../../contracts/failure-types.js';
import type { PulledPage, PullPageInput } from '../../contracts/activity-io.js';
import { createDataConverter } from '../../codec/data-converter.js';
import { payloadConverter } from '../../codec/payload-converter.js';
import { DEFAULT_MAX_EVENT_BYTES } from '../../devo/framing.js';
import { filterBounds } from '../../time-windows/index.js';
import { graphPages, graphPuller, graphRow, noise } from '../helpers/graph-pages.js';
import { localHttpServer } from '../helpers/local-http-server.js';

const WINDOW = { startMs: Date.UTC(2026, 10, 24, 10), endMs: Date.UTC(2026, 10, 24, 10, 5) };
/** What the SDK warns from (payloadLimits.payloadsWarnSize in 1.24); the server refuses 2 MB. */
const PAYLOAD_WARN_BYTES = 512 * 1024;
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJ0ZXN0Ijp0cnVlfQ';
const codec = createDataConverter(randomBytes(32)).payloadCodecs![0]!;
/** The bytes the server stores for a value: the payload converter's, then the codec's. */
const storedBytes = async (value: unknown) => (await codec.encode([payloadConverter.toPayload(value)]))[0]!.data!.length;

/** Graph's received time with its 7 fractional digits, `ms` after the window's start. */
const at = (ms: number, ticks = 0) => new Date(WINDOW.startMs + ms).toISOString().replace(/\.(\d{3})Z$/, `.$1${String(ticks).padStart(4, '0')}Z`);
const row = graphRow;
const puller = (graphUrl: string) => graphPuller(graphUrl, WINDOW, TOKEN);

/**
 * Pulls a whole window as the workflow does: follows next links, and after a cut page (or a refused link)
 * queries the rest of the window afresh from the resume point. Returns every pull's result and the ids sent.
 */
async function pullWindow(pull: ReturnType<typeof puller>['pull'], maxPages = 3): Promise<{ results: PulledPage[]; ids: string[] }> {
  const results: PulledPage[] = [];
  const ids: string[] = [];
  let input: Partial<PullPageInput> = { maxPages };
  for (let page = 1; results.length < 50; ) {
    const result = await pull({ ...input, page });
    results.push(result);
    ids.push(...unpackEvents(result.packed!).map((e) => (JSON.parse(e.json) as { id: string }).id));
    page += result.pages ?? 1;
    if (result.cutShort) input = { maxPages, resumeAfter: result.resumePoint };
    else if (result.nextLink) input = { maxPages, nextLink: result.nextLink };
    else return { results, ids };
  }
  assert.fail(`the window did not end after ${results.length} pulls`);
}

const sum = (results: PulledPage[], field: 'deadLettered' | 'oversize' | 'outsideWindow') => results.reduce((n, r) => n + (r[field] ?? 0), 0);

describe('pullPage results stay within their byte limit whatever Microsoft sends', () => {
  it('a 3 MB row is set aside as oversize at pull time, and every other row is delivered', async (t) => {
    const small = Array.from({ length: 30 }, (_, i) => row(`small-${i}`, at(60_000 + i * 1000)));
    const huge = row('huge', at(45_000), noise(3 * 1024 * 1024));
    const server = await localHttpServer(t, graphPages([...small, huge], true));
    const { pull, deadLetters } = puller(server.url);
    const { results, ids } = await pullWindow(pull);
    for (const result of results) assert.ok((await storedBytes(result)) < PAYLOAD_WARN_BYTES, `a pull result of ${await storedBytes(result)} bytes`);
    assert.deepEqual([...ids].sort(), small.map((r) => r.id).sort());
    assert.deepEqual(deadLetters.map((d) => [d.context.reason, d.rows.map((r) => (r as { id: string }).id)]), [['oversize', ['huge']]]);
    assert.equal(sum(results, 'oversize'), 1);
    assert.equal(sum(results, 'deadLettered'), 1);
  });

  it('a page of many large but legal rows is cut to fit, and the rest of the window is read afresh, each row once', async (t) => {
    // Each row is just under a Devo event and does not compress: two fit one pull result.
    const large = Array.from({ length: 10 }, (_, i) => row(`large-${i}`, at(100_000 + i * 1000), noise(DEFAULT_MAX_EVENT_BYTES - 4096)));
    // Two rows in the same tick, the cut falling between them: the resumed query must neither repeat nor skip the second.
    const sameTick = [row('tick-a', at(50_000, 1234)), row('tick-b', at(50_000, 1234), noise(DEFAULT_MAX_EVENT_BYTES - 4096))];
    const small = Array.from({ length: 20 }, (_, i) => row(`small-${i}`, at(10_000 + i * 1000)));
    const all = [...large, ...sameTick, ...small];
    const server = await localHttpServer(t, graphPages(all, true));
    const { pull, deadLetters } = puller(server.url);
    const { results, ids } = await pullWindow(pull);
    const sizes: number[] = [];
    for (const result of results) {
      sizes.push(await storedBytes(result));
      assert.ok(result.packed!.deflated!.length <= MAX_PULLED_BYTES, `${result.packed!.deflated!.length} packed bytes`);
    }
    t.diagnostic(`${results.length} pulls, stored bytes ${sizes.join(', ')}; cut short: ${results.filter((r) => r.cutShort).length}`);
    assert.ok(sizes.every((bytes) => bytes < PAYLOAD_WARN_BYTES), `stored bytes ${sizes.join(', ')}`);
    assert.ok(results.some((r) => r.cutShort && r.resumePoint?.received === sameTick[0]!.receivedDateTime), 'no cut fell inside the shared tick');
    assert.deepEqual([...ids].sort(), all.map((r) => r.id).sort(), 'every row once, none lost or repeated');
    assert.deepEqual(deadLetters, []);
  });
});

describe('next links too long to carry', () => {
  it('fail the page as malformed instead of growing the pull result', async (t) => {
    const server = await localHttpServer(t, (req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: [row('m1', at(1000))], '@odata.nextLink': `http://${req.headers.host}/v1.0/admin/exchange/tracing/messageTraces?$skiptoken=${'x'.repeat(MAX_NEXT_LINK_CHARS)}` })),
    );
    const err = await puller(server.url).pull({}).then(
      () => assert.fail(`a next link of more than ${MAX_NEXT_LINK_CHARS} characters was kept`),
      (e: unknown) => e as ApplicationFailure,
    );
    assert.equal(err.type, FailureType.MalformedResponse);
    assert.match(err.message, /next link of \d+ characters, more than 8192/);
  });
});

describe('rows outside the window', () => {
  it('are not sent but set aside and counted, and the resume point stays inside the window', async (t) => {
    const { from, to } = filterBounds(WINDOW);
    const inside = [row('at-start', from), row('last-tick', to), row('middle', at(120_000))];
    const outside = [row('at-end', new Date(WINDOW.endMs).toISOString().replace('Z', '0000Z')), row('later', at(3_600_000)), row('earlier', at(-1000)), row('much-earlier', at(-3_600_000))];
    const server = await localHttpServer(t, graphPages([...inside, ...outside], false));
    const { pull, deadLetters } = puller(server.url);
    const result = await pull({ maxPages: 1 });
    assert.deepEqual(unpackEvents(result.packed!).map((e) => (JSON.parse(e.json) as { id: string }).id), ['last-tick', 'middle', 'at-start']);
    assert.deepEqual(deadLetters.map((d) => [d.context.reason, d.rows.map((r) => (r as { id: string }).id).sort()]), [['outside-window', outside.map((r) => r.id).sort()]]);
    assert.equal(result.outsideWindow, 4);
    assert.equal(result.deadLettered, 4);
    assert.deepEqual(result.resumePoint, { received: from, recipient: 'at-start@contoso.com' });
  });

  it('a recorded resume point outside the window is clamped, so the resumed query is never inverted', async (t) => {
    const server = await localHttpServer(t, graphPages([row('middle', at(120_000))], true));
    const { pull } = puller(server.url);
    const { from, to } = filterBounds(WINDOW);
    await pull({ resumeAfter: { received: at(-60_000), recipient: 'x@contoso.com' } });
    await pull({ resumeAfter: { received: at(3_600_000), recipient: 'x@contoso.com' } });
    const bounds = server.requests.map((r) => {
      const filter = new URL(r.url, server.url).searchParams.get('$filter') ?? '';
      return [/ge (\S+)/.exec(filter)?.[1], /le (\S+)/.exec(filter)?.[1]];
    });
    assert.deepEqual(bounds, [[from, from], [from, to]]);
  });
});
