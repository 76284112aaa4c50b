import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contracts/failure-types.js';
import { graphPages, graphPuller, graphRow } from '../helpers/graph-pages.js';
import { localHttpServer, type LocalHttpServer } from '../helpers/local-http-server.js';

const WINDOW = { startMs: Date.UTC(2026, 10, 24, 10), endMs: Date.UTC(2026, 10, 24, 10, 5) };
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJ0ZXN0Ijp0cnVlfQ';
const puller = (graphUrl: string) => graphPuller(graphUrl, WINDOW, TOKEN);
const row = graphRow;
const at = (ms: number) => new Date(WINDOW.startMs + ms).toISOString().replace(/Z$/, '0000Z');

describe('next links from the activity input', () => {
  async function refusedLink(t: TestContext, link: (foreign: LocalHttpServer) => string) {
    const api = await localHttpServer(t, graphPages([row('m1', at(1000))], true));
    const foreign = await localHttpServer(t, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}'));
    const { pull } = puller(api.url);
    const err = await pull({ nextLink: link(foreign), page: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.deepEqual(foreign.requests.map((r) => r.headers.authorization && 'Bearer …'), [], 'the foreign server was asked, with the token');
    assert.deepEqual(api.requests, []);
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, FailureType.RequestRejected);
    assert.equal(err.nonRetryable, true);
    assert.doesNotMatch(err.message, new RegExp(TOKEN));
    return err;
  }

  it('a link to another origin is refused before any request: the token never reaches it', async (t) => {
    const err = await refusedLink(t, (foreign) => `${foreign.url}/v1.0/admin/exchange/tracing/messageTraces?$skiptoken=2`);
    assert.match(err.message, /points to http:\/\/127\.0\.0\.1:\d+\/?, not the configured API/);
  });

  it('a plain-http link to an https API is refused the same way', async (t) => {
    // Same host and port as the foreign server, over https in the configuration: only the scheme differs.
    const foreign = await localHttpServer(t, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}'));
    const { pull } = puller(foreign.url.replace('http:', 'https:'));
    const err = await pull({ nextLink: `${foreign.url}/v1.0/admin/exchange/tracing/messageTraces?$skiptoken=2`, page: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.deepEqual(foreign.requests.map((r) => r.headers.authorization && 'Bearer …'), [], 'the token went out over plain http');
    assert.ok(err instanceof ApplicationFailure && err.type === FailureType.RequestRejected && err.nonRetryable, String(err));
  });
});
