import assert from 'node:assert/strict';
import { once } from 'node:events';
import { before, describe, it } from 'node:test';
import { createGzip, gzipSync } from 'node:zlib';
import { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../activities/failures.js';
import { DevoConnectionError } from '../../devo/errors.js';
import { httpTransport } from '../../devo/transport.js';
import { MalformedResponseError } from '../../microsoft/errors.js';
import { pullGraphPage } from '../../microsoft/graph.js';
import { MAX_PAGE_BODY_BYTES } from '../../microsoft/http.js';
import { requestToken } from '../../microsoft/token.js';
import { FailureType } from '../../contracts/failure-types.js';
import { localHttpServer } from '../helpers/local-http-server.js';

const MB = 1024 * 1024;
/** Decoded size of every bomb: 16 times the page limit, well past what any cap here allows. */
const BOMB_MB = 256;
/** How far the process's peak RSS may rise while a bomb is refused: the page limit and zlib's buffers, with room. */
const MAX_RSS_RISE = 64 * MB;

/** BOMB_MB MB of `a`, gzipped as it is written (the test never holds it inflated): about 250 KB. */
async function gzipFiller(): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(gzip, 'end');
  const filler = Buffer.alloc(MB, 0x61);
  for (let i = 0; i < BOMB_MB; i++) if (!gzip.write(filler)) await once(gzip, 'drain');
  gzip.end();
  await ended;
  return Buffer.concat(out);
}

/** Peak resident set size of this process so far, in bytes. */
const peakRss = () => process.resourceUsage().maxRSS * 1024;

const WINDOW = { startMs: Date.UTC(2026, 10, 24, 10), endMs: Date.UTC(2026, 10, 24, 10, 5) };

describe('response bodies are capped after decoding', () => {
  const bombs: Record<'page' | 'token' | 'devo', Buffer> = {} as never;
  before(async () => {
    // Gzip members laid end to end decode as one body (RFC 1952 §2.2), so one filler serves every bomb.
    const filler = await gzipFiller();
    const around = (prefix: string, suffix: string) => Buffer.concat([gzipSync(prefix), filler, gzipSync(suffix)]);
    bombs.page = around('{"value":[],"pad":"', '"}');
    bombs.token = around('{"token_type":"Bearer","expires_in":3599,"access_token":"', '"}');
    bombs.devo = around('', '');
  });
  /** Answers with a bomb whose content-length is its compressed size, as a real server would send it. */
  const bombServer = (t: Parameters<typeof localHttpServer>[0], bomb: () => Buffer, contentType: string) =>
    localHttpServer(t, (_req, res) => res.writeHead(200, { 'content-type': contentType, 'content-encoding': 'gzip', 'content-length': bomb().length }).end(bomb()));

  it('a Graph page that inflates to 256 MB fails as a malformed response, retryable, without buffering it', async (t) => {
    const server = await bombServer(t, () => bombs.page, 'application/json');
    const rssBefore = peakRss();
    const err = await pullGraphPage({ baseUrl: server.url, window: WINDOW, pageSize: 1000, accessToken: 'tok' }).then(
      () => assert.fail(`a ${bombs.page.length}-byte gzip body of ${BOMB_MB} MB was read as a page`),
      (e: unknown) => e,
    );
    const rise = peakRss() - rssBefore;
    assert.ok(err instanceof MalformedResponseError, String(err));
    assert.match(err.message, new RegExp(`GET ${server.url}/v1.0/admin/exchange/tracing/messageTraces: the decoded body is larger than ${MAX_PAGE_BODY_BYTES} bytes`));
    assert.ok(rise < MAX_RSS_RISE, `peak RSS rose by ${(rise / MB).toFixed(1)} MB reading a ${(bombs.page.length / 1024).toFixed(0)} KB gzip body`);
    t.diagnostic(`gzip body ${bombs.page.length} bytes, ${BOMB_MB} MB decoded; peak RSS rose by ${(rise / MB).toFixed(1)} MB`);
    const failure = toApplicationFailure(err);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, FailureType.MalformedResponse);
    assert.equal(failure.nonRetryable, false);
  });

  it('a token answer that inflates to 256 MB fails as a malformed response, without buffering it', async (t) => {
    const server = await bombServer(t, () => bombs.token, 'application/json');
    const rssBefore = peakRss();
    const err = await requestToken({ loginUrl: server.url, tenantId: 't', clientId: 'c', clientSecret: 's', source: 'graph', graphUrl: server.url }, Date.now()).then(
      () => assert.fail('a 256 MB token answer was read'),
      (e: unknown) => e,
    );
    const rise = peakRss() - rssBefore;
    assert.ok(err instanceof MalformedResponseError, String(err));
    assert.ok(rise < MAX_RSS_RISE, `peak RSS rose by ${(rise / MB).toFixed(1)} MB`);
  });

  it("a Devo answer that inflates to 256 MB is a failed send (DevoUnavailable, retried), without buffering it", async (t) => {
    const server = await bombServer(t, () => bombs.devo, 'text/plain');
    const rssBefore = peakRss();
    const events = [{ tag: 'cloud.office365.messagetracing', hostname: 'h', timestamp: 0, message: '{"id":"m1"}' }];
    const err = await httpTransport({ url: server.url, domain: 'acme', token: 'tok' }).sendBatch(events).then(
      () => assert.fail("a 256 MB answer was taken for Devo's confirmation"),
      (e: unknown) => e,
    );
    const rise = peakRss() - rssBefore;
    assert.ok(err instanceof DevoConnectionError, String(err));
    assert.doesNotMatch(err.message, /token!tok/);
    assert.ok(rise < MAX_RSS_RISE, `peak RSS rose by ${(rise / MB).toFixed(1)} MB`);
    assert.equal((toApplicationFailure(err) as ApplicationFailure).type, FailureType.DevoUnavailable);
  });
});
