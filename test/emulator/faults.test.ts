import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Fault, MicrosoftEmulator } from '../../emulator/microsoft-365/index.js';
import {
  call,
  CLIENT_ID,
  CLIENT_SECRET,
  fixtureJson,
  graphToken,
  graphUrl,
  graphWindow,
  MINUTE,
  reportingToken,
  reportingUrl,
  startTestEmulator,
  suiteEmulator,
  TestClock,
  tokenRequest,
} from '../fixtures/microsoft/emulator-fixture.js';
import { waitUntil } from '../helpers/wait-until.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const dataset = { seed: 21, records: 1_000, startMs: NOW - 30 * MINUTE, endMs: NOW - MINUTE, visibility: { kind: 'immediate' }, statusSettleMs: 0 } as const;

describe('scripted faults', () => {
  const emulatorOf = suiteEmulator({ now: () => NOW, dataset });
  const graph = async (emulator: MicrosoftEmulator, url = graphUrl(emulator, graphWindow(iso(NOW - 20 * MINUTE), iso(NOW - 10 * MINUTE)), 50), init: RequestInit = {}) =>
    call(url, { ...init, headers: { authorization: `Bearer ${await graphToken(emulator)}` } });
  const reporting = async (emulator: MicrosoftEmulator) =>
    call(reportingUrl(emulator), { headers: { authorization: `Bearer ${await reportingToken(emulator)}`, accept: 'application/json' } });
  const fresh = (faults: Fault[]) => {
    const emulator = emulatorOf();
    emulator.faults.clear();
    emulator.faults.add(faults);
    emulator.resetStats();
    return emulator;
  };

  it('throttle, server-error and unavailable answer 429, 500 and 503 in each endpoint’s format', async () => {
    const emulator = fresh([
      { target: 'graph', kind: 'throttle', retryAfterSeconds: 7 },
      { target: 'graph', kind: 'server-error' },
      { target: 'graph', kind: 'unavailable', retryAfterSeconds: 3 },
      { target: 'reporting', kind: 'throttle' },
      { target: 'reporting', kind: 'unavailable' },
    ]);
    const throttled = await graph(emulator);
    assert.deepEqual([throttled.status, throttled.headers.get('retry-after'), throttled.body.error.code], [429, '7', 'TooManyRequests']);
    assert.equal(throttled.body.error.message, 'Your recent queries have surpassed the permitted limit, please try again later.');
    const failed = await graph(emulator);
    assert.deepEqual([failed.status, failed.body.error.code], [500, 'InternalServerError']);
    const unavailable = await graph(emulator);
    assert.deepEqual([unavailable.status, unavailable.headers.get('retry-after')], [503, '3']);
    const rwsThrottled = await reporting(emulator);
    assert.deepEqual([rwsThrottled.status, rwsThrottled.headers.get('retry-after')], [429, null], 'no Retry-After unless scripted');
    assert.ok(rwsThrottled.body['odata.error'].message.value.startsWith('Your recent queries'));
    const rwsUnavailable = await reporting(emulator);
    assert.equal(rwsUnavailable.status, 503);
    assert.match(rwsUnavailable.headers.get('content-type') ?? '', /text\/html/);
    assert.equal((await graph(emulator)).status, 200, 'every fault used up');
    assert.deepEqual(emulator.stats().requests, { 'token 200': 6, 'graph 429': 1, 'graph 500': 1, 'graph 503': 1, 'reporting 429': 1, 'reporting 503': 1, 'graph 200': 1 });
    assert.deepEqual(emulator.faults.pending(), []);
  });

  it('html-sign-in answers 200 text/html "Sign in to Outlook"; malformed-json a 200 JSON that does not parse', async () => {
    const emulator = fresh([{ target: 'reporting', kind: 'html-sign-in' }, { target: 'graph', kind: 'malformed-json' }]);
    const html = await reporting(emulator);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(html.text, /<title>Sign in to Outlook<\/title>/);
    const broken = await graph(emulator);
    assert.equal(broken.status, 200);
    assert.match(broken.headers.get('content-type') ?? '', /^application\/json/);
    assert.ok(broken.text.startsWith('{"@odata.context"'));
    assert.throws(() => JSON.parse(broken.text));
    assert.equal(emulator.stats().rowsServed, 0, 'faulted answers serve no rows');
  });

  it('forbidden and unauthorized answer each API’s own 403 and 401', async () => {
    const emulator = fresh([
      { target: 'graph', kind: 'forbidden' },
      { target: 'graph', kind: 'unauthorized' },
      { target: 'reporting', kind: 'forbidden' },
      { target: 'reporting', kind: 'unauthorized' },
    ]);
    assert.deepEqual([(await graph(emulator)).status, (await graph(emulator)).body.error.code], [403, 'InvalidAuthenticationToken']);
    const rwsForbidden = await reporting(emulator);
    assert.deepEqual(rwsForbidden.body, fixtureJson('rws-403.json'));
    const rwsUnauthorized = await reporting(emulator);
    assert.equal(rwsUnauthorized.status, 401);
    assert.match(rwsUnauthorized.text, /<title>401 - Unauthorized/);
  });

  it('token faults hit the token endpoint, and `any` the next request of any kind', async () => {
    const emulator = fresh([{ target: 'token', kind: 'unauthorized' }, { target: 'any', kind: 'server-error', count: 2 }]);
    const form = { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'https://graph.microsoft.com/.default' };
    const refused = await tokenRequest(emulator, 'v2', form);
    assert.deepEqual([refused.status, refused.body.error], [401, 'invalid_client']);
    assert.equal((await tokenRequest(emulator, 'v2', form)).status, 500);
    assert.equal((await tokenRequest(emulator, 'v2', form)).status, 500);
    assert.equal((await tokenRequest(emulator, 'v2', form)).status, 200);
  });

  it('expire-tokens invalidates every token, so the request it hits gets a 401 and a new token works', async () => {
    const emulator = fresh([]);
    const token = await graphToken(emulator);
    emulator.faults.add({ target: 'graph', kind: 'expire-tokens' });
    const url = graphUrl(emulator, graphWindow(iso(NOW - 20 * MINUTE), iso(NOW - 10 * MINUTE)));
    assert.equal((await call(url, { headers: { authorization: `Bearer ${token}` } })).status, 401);
    assert.equal((await call(url, { headers: { authorization: `Bearer ${token}` } })).status, 401);
    assert.equal((await graph(emulator, url)).status, 200);
  });

  it('slow answers normally after delayMs; hang never answers and the emulator carries on', async () => {
    const emulator = await startTestEmulator({ now: () => NOW, dataset });
    emulator.faults.add([{ target: 'graph', kind: 'slow', delayMs: 300 }, { target: 'graph', kind: 'hang' }]);
    const started = performance.now();
    const slow = await graph(emulator);
    assert.equal(slow.status, 200);
    assert.ok(performance.now() - started >= 290, 'the answer waited');
    await assert.rejects(graph(emulator, undefined, { signal: AbortSignal.timeout(300) }), /abort|timeout/i);
    assert.equal((await graph(emulator)).status, 200);
    emulator.faults.add({ target: 'graph', kind: 'hang' });
    const hanging = graph(emulator).catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await emulator.close();
    assert.ok((await hanging) instanceof Error, 'close() drops the hanging connection');
  });

  it('served() counts the requests each kind hit, a held slow request as soon as it arrives', async () => {
    const emulator = await startTestEmulator({ now: () => NOW, dataset });
    emulator.faults.add([{ target: 'graph', kind: 'server-error', count: 2 }, { target: 'graph', kind: 'slow', delayMs: 60_000, skipRequests: 1 }]);
    assert.deepEqual(emulator.faults.served(), {});
    assert.equal((await graph(emulator)).status, 500);
    assert.equal((await graph(emulator)).status, 500);
    assert.equal((await graph(emulator)).status, 200, 'skipped by the slow fault');
    const held = graph(emulator).catch((err: unknown) => err);
    await waitUntil(() => emulator.faults.served().slow === 1, { intervalMs: 10, what: 'the slow request to arrive' });
    assert.deepEqual(emulator.faults.served(), { 'server-error': 2, slow: 1 });
    await emulator.close();
    assert.ok((await held) instanceof Error, 'still held when the emulator closed');
  });

  it('a forMs fault hits every matching request for that long', async () => {
    const clock = new TestClock(NOW);
    const emulator = await startTestEmulator({ now: clock.now, dataset });
    emulator.faults.add({ target: 'reporting', kind: 'unavailable', forMs: 10_000 });
    assert.equal((await reporting(emulator)).status, 503);
    clock.advance(9_999);
    assert.equal((await reporting(emulator)).status, 503);
    clock.advance(1);
    assert.equal((await reporting(emulator)).status, 200);
  });

  it('double-encoded-skiptoken writes Microsoft’s broken next link, refused with 400; decoding it once more works', async () => {
    const emulator = fresh([{ target: 'graph', kind: 'double-encoded-skiptoken' }]);
    const [from, to] = [iso(NOW - 20 * MINUTE), iso(NOW - 10 * MINUTE)];
    const single = await graph(emulator, graphUrl(emulator, graphWindow(iso(NOW - 20 * MINUTE), iso(NOW - 19 * MINUTE)), 5000));
    assert.equal(single.body['@odata.nextLink'], undefined);
    assert.equal(emulator.faults.pending().length, 1, 'a page without a next link leaves the fault waiting');
    const first = await graph(emulator, graphUrl(emulator, graphWindow(from, to), 10));
    const link = new URL(first.body['@odata.nextLink']);
    const decoded = JSON.parse(Buffer.from(link.searchParams.get('$skiptoken')!, 'base64').toString());
    assert.match(decoded.EndDate, /^"\d{4}-.*Z"$/, 'values are JSON-encoded twice');
    const refused = await graph(emulator, link.toString());
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /^Cannot process argument transformation on parameter 'StartDate'/);
    const repaired = Object.fromEntries(Object.entries(decoded).map(([k, v]) => [k, JSON.parse(v as string) as string]));
    link.searchParams.set('$skiptoken', Buffer.from(JSON.stringify(repaired)).toString('base64'));
    const second = await graph(emulator, link.toString());
    assert.equal(second.status, 200);
    const truth = emulator.dataset.rowsIn(from, to);
    assert.deepEqual(second.body.value.map((r: { recipientAddress: string }) => r.recipientAddress), truth.slice(10, 20).map((r) => r.recipientAddress));
  });
});

describe('the quota', () => {
  it('admits N Graph and RWS calls per tenant per window, then 429 with Retry-After; tokens are free', async () => {
    const clock = new TestClock(NOW);
    const emulator = await startTestEmulator({ now: clock.now, dataset, quota: { requests: 3, windowMs: 60_000 } });
    const [graphT, rwsT] = [await graphToken(emulator), await reportingToken(emulator)];
    const g = () => call(graphUrl(emulator), { headers: { authorization: `Bearer ${graphT}` } });
    const r = () => call(reportingUrl(emulator), { headers: { authorization: `Bearer ${rwsT}`, accept: 'application/json' } });
    assert.equal((await g()).status, 200);
    clock.advance(10_000);
    assert.equal((await r()).status, 200);
    assert.equal((await g()).status, 200);
    for (let i = 0; i < 5; i++) await graphToken(emulator);
    const throttled = await g();
    assert.deepEqual([throttled.status, throttled.headers.get('retry-after'), throttled.body.error.code], [429, '50', 'TooManyRequests']);
    const rwsThrottled = await r();
    assert.deepEqual([rwsThrottled.status, rwsThrottled.headers.get('retry-after')], [429, '50']);
    const otherTenant = await graphToken(emulator, 'another-tenant');
    assert.equal((await call(graphUrl(emulator), { headers: { authorization: `Bearer ${otherTenant}` } })).status, 200, 'per tenant');
    clock.advance(50_000);
    assert.equal((await g()).status, 200, 'a slot freed when Retry-After said');
  });
});

describe('the admin endpoints', () => {
  it('script faults, permissions, token expiry and stats over HTTP, and stream ground truth as JSON lines', async () => {
    const emulator = await startTestEmulator({ now: () => NOW, dataset });
    const admin = (path: string, method = 'GET', body?: unknown) =>
      call(`${emulator.url}/_emulator/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    assert.equal((await admin('faults', 'POST', [{ target: 'graph', kind: 'throttle' }, { target: 'reporting', kind: 'hang' }])).status, 200);
    assert.equal((await admin('faults', 'POST', { target: 'graph', kind: 'server-error' })).body.pending.length, 3);
    assert.equal((await admin('faults', 'POST', { target: 'graph', kind: 'meltdown' })).status, 400);
    assert.equal((await admin('faults', 'DELETE')).status, 204);
    assert.deepEqual(emulator.faults.pending(), []);
    await admin('faults', 'POST', { target: 'graph', kind: 'throttle', retryAfterSeconds: 1 });
    const token = await graphToken(emulator);
    assert.equal((await call(graphUrl(emulator), { headers: { authorization: `Bearer ${token}` } })).status, 429);
    assert.equal((await admin('permissions', 'POST', { graph: false })).status, 204);
    assert.equal((await call(graphUrl(emulator), { headers: { authorization: `Bearer ${token}` } })).status, 403);
    assert.equal((await admin('permissions', 'POST', { graph: 'yes' })).status, 400);
    await admin('permissions', 'POST', { graph: true });
    assert.equal((await admin('expire-tokens', 'POST')).status, 204);
    assert.equal((await call(graphUrl(emulator), { headers: { authorization: `Bearer ${token}` } })).status, 401);
    assert.deepEqual((await admin('stats')).body.requests, { 'token 200': 1, 'graph 429': 1, 'graph 403': 1, 'graph 401': 1 });
    assert.equal((await admin('stats/reset', 'POST')).status, 204);
    assert.deepEqual(emulator.stats(), { requests: {}, rowsServed: 0, pagesServed: 0 });
    const lines = (await admin('ground-truth')).text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(lines, emulator.dataset.groundTruth());
    const window = (await admin(`ground-truth?start=${iso(NOW - 20 * MINUTE)}&end=${iso(NOW - 10 * MINUTE)}`)).text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(window, emulator.dataset.rowsIn(iso(NOW - 20 * MINUTE), iso(NOW - 10 * MINUTE)));
    assert.equal((await admin('nothing-here')).status, 404);
  });
});
