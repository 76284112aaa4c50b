import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertSameShape } from '../fixtures/microsoft/shape.js';
import {
  call,
  DAY,
  fixtureJson,
  fixtureText,
  followPages,
  HOUR,
  MINUTE,
  reportingToken,
  reportingUrl,
  reportingWindow,
  startTestEmulator,
  suiteEmulator,
  TestClock,
} from '../fixtures/microsoft/emulator-fixture.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const dataset = { seed: 11, records: 2_500, startMs: NOW - 30 * MINUTE, endMs: NOW - MINUTE, visibility: { kind: 'immediate' }, statusSettleMs: 0, edgeRowsEveryMs: MINUTE } as const;
/** RWS rows without the per-query fields, to compare with ground truth. */
const stripQuery = ({ StartDate: _s, EndDate: _e, Index: _i, __metadata: _m, ...row }: Record<string, unknown>) => row;

describe('Reporting Web Service MessageTrace', () => {
  const clock = new TestClock(NOW);
  const emulatorOf = suiteEmulator({ now: clock.now, dataset });
  let token = '';
  const auth = async () => ({ authorization: `Bearer ${(token ||= await reportingToken(emulatorOf()))}` });
  const light = async (url: string) => call(url, { headers: { ...(await auth()), accept: 'application/json' } });
  const narrow = reportingWindow(iso(NOW - 10 * MINUTE), iso(NOW - 9 * MINUTE));

  it('answers $format=json in the verbose shape of the SEKOIA sample, with \\/Date(ms)\\/ on the wire', async () => {
    const emulator = emulatorOf();
    const answer = await call(reportingUrl(emulator, narrow, '$format=json'), { headers: await auth() });
    assert.equal(answer.status, 200);
    assert.ok(answer.body.d.results.length > 0);
    assertSameShape(answer.body, fixtureJson('rws-verbose.json'), { FromIP: ['ipv6'], ToIP: ['ipv4'] });
    assert.match(answer.text, /"Received":"\\\/Date\(\d+\)\\\/"/);
    const first = answer.body.d.results[0];
    assert.equal(first.__metadata.uri, `${emulator.url}/ecp/ReportingWebService/Reporting.svc/MessageTrace(0)`);
    const truth = emulator.dataset.reportingRowsIn(iso(NOW - 10 * MINUTE), iso(NOW - 9 * MINUTE))[0]!;
    assert.equal(first.Received, `/Date(${Date.parse(truth.Received.slice(0, 23) + 'Z')})/`, 'epoch milliseconds, UTC');
    assert.equal(first.StartDate, `/Date(${NOW - 10 * MINUTE})/`);
  });

  it('answers Accept: application/json in the JSON light shape of the Elastic sample', async () => {
    const emulator = emulatorOf();
    const answer = await light(reportingUrl(emulator, narrow));
    assert.equal(answer.status, 200);
    assertSameShape(answer.body, fixtureJson('rws-light.json'), { FromIP: ['ipv6', 'null'], ToIP: ['null'] });
    assert.equal(answer.body['odata.metadata'], `${emulator.url}/ecp/ReportingWebService/Reporting.svc/$metadata#MessageTrace`);
    for (const row of answer.body.value) {
      assert.match(row.Received, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$/, 'Received: 7 digits, no zone');
      assert.equal(row.StartDate, '2026-03-10T11:50:00.0000000Z');
      assert.equal(row.EndDate, '2026-03-10T11:51:00.0000000Z');
    }
    assert.equal(answer.headers.get('x-rws-version'), '2013-V1');
    assert.ok(answer.headers.get('dataserviceversion') && answer.headers.get('request-id'));
  });

  it('answers Atom XML when neither $format nor Accept asks for JSON', async () => {
    const answer = await call(reportingUrl(emulatorOf(), narrow), { headers: await auth() });
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/atom\+xml;type=feed/);
    const count = emulatorOf().dataset.rowsIn(iso(NOW - 10 * MINUTE), iso(NOW - 9 * MINUTE)).length;
    assert.equal(answer.text.match(/<entry>/g)?.length, count);
    assert.match(answer.text, /<d:Received m:type="Edm.DateTime">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}<\/d:Received>/);
  });

  it('pages JSON light with relative ../../ next links that resolve against the request, losing nothing', async () => {
    const emulator = emulatorOf();
    const [from, to] = [iso(NOW - 30 * MINUTE), iso(NOW - MINUTE)];
    for (const path of ['/ecp/reportingwebservice/reporting.svc/MessageTrace', '/ECP/ReportingWebService/Reporting.svc/messagetrace']) {
      const { pages, urls } = await followPages(reportingUrl(emulator, reportingWindow(from, to), '$top=4', path), { ...(await auth()), accept: 'application/json' }, (b) => b['odata.nextLink']);
      const link = pages[0]!.body['odata.nextLink'] as string;
      assert.match(link, /^\.\.\/\.\.\/ReportingWebService\/Reporting\.svc\/MessageTrace\?\$filter=.*&\$top=4&\$skiptoken=4$/);
      // RFC 3986 resolution keeps the request's own /ecp/ segment; the rest is the service's casing.
      assert.equal(new URL(link, urls[0]).pathname, `${path.slice(0, 4)}/ReportingWebService/Reporting.svc/MessageTrace`);
      const served = pages.flatMap((p) => p.body.value as Record<string, unknown>[]);
      assert.deepEqual(served.map((r) => r.Index), served.map((_, i) => i), 'Index is the position in the whole result');
      assert.deepEqual(served.map(stripQuery), emulator.dataset.reportingRowsIn(from, to), path);
      assert.equal(pages.at(-1)!.body['odata.nextLink'], undefined);
    }
  });

  it('pages verbose JSON through absolute d.__next links', async () => {
    const emulator = emulatorOf();
    const [from, to] = [iso(NOW - 20 * MINUTE), iso(NOW - 5 * MINUTE)];
    const { pages } = await followPages(reportingUrl(emulator, reportingWindow(from, to), '$top=50&$format=Json'), await auth(), (b) => b.d.__next);
    assert.match(pages[0]!.body.d.__next, new RegExp(`^${emulator.url}/ecp/ReportingWebService/Reporting\\.svc/MessageTrace\\?.*\\$skiptoken=50$`));
    const served = pages.flatMap((p) => p.body.d.results as Record<string, unknown>[]);
    const truth = emulator.dataset.reportingRowsIn(from, to);
    assert.deepEqual(served.map((r) => `${String(r.MessageTraceId)}|${String(r.RecipientAddress)}`), truth.map((r) => `${r.MessageTraceId}|${r.RecipientAddress}`));
  });

  it('writes absolute JSON light links when configured to', async () => {
    const emulator = await startTestEmulator({ now: clock.now, dataset, reportingNextLink: 'absolute' });
    const token = await reportingToken(emulator);
    const answer = await call(reportingUrl(emulator, reportingWindow(iso(NOW - 20 * MINUTE), iso(NOW - 5 * MINUTE)), '$top=10'), { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    assert.equal(answer.body['odata.nextLink'], `${emulator.url}/ecp/ReportingWebService/Reporting.svc/MessageTrace?$filter=${encodeURIComponent(reportingWindow(iso(NOW - 20 * MINUTE), iso(NOW - 5 * MINUTE)))}&$top=10&$skiptoken=10`);
  });

  it('filters on SenderAddress, RecipientAddress, Status and MessageTraceId, and honours $select', async () => {
    const emulator = emulatorOf();
    const [from, to] = [iso(NOW - 30 * MINUTE), iso(NOW - MINUTE)];
    const all = emulator.dataset.reportingRowsIn(from, to);
    const sample = all[17]!;
    for (const [term, keep] of [
      [`SenderAddress eq '${sample.SenderAddress}'`, (r: typeof sample) => r.SenderAddress === sample.SenderAddress],
      [`RecipientAddress eq '${sample.RecipientAddress}'`, (r: typeof sample) => r.RecipientAddress === sample.RecipientAddress],
      [`Status eq 'Failed'`, (r: typeof sample) => r.Status === 'Failed'],
      [`MessageTraceId eq guid'${sample.MessageTraceId}'`, (r: typeof sample) => r.MessageTraceId === sample.MessageTraceId],
    ] as const) {
      const answer = await light(reportingUrl(emulator, `${reportingWindow(from, to)} and ${term}`));
      assert.deepEqual(answer.body.value.map(stripQuery), all.filter(keep), term);
    }
    const selected = await light(reportingUrl(emulator, narrow, '$select=RecipientAddress,Received,Size'));
    assert.deepEqual(Object.keys(selected.body.value[0]), ['Received', 'RecipientAddress', 'Size']);
  });

  it('without a filter returns the last 48 hours, echoed in StartDate and EndDate', async () => {
    const answer = await light(reportingUrl(emulatorOf(), undefined, '$top=1'));
    assert.equal(answer.body.value[0].StartDate, iso(NOW - 2 * DAY).replace('Z', '0000Z'));
    assert.equal(answer.body.value[0].EndDate, iso(NOW).replace('Z', '0000Z'));
  });

  it('refuses bad queries with the OData v2 error body', async () => {
    const emulator = emulatorOf();
    const today = Date.parse('2026-03-10T00:00:00Z');
    const badTop = await light(reportingUrl(emulator, narrow, '$top=1000]'));
    assert.equal(badTop.status, 400);
    assert.deepEqual(badTop.body, fixtureJson('rws-400-top.json'), 'the exact body of elastic#8633');
    for (const [filter, message] of [
      [`EndDate eq datetime'${iso(NOW - HOUR)}'`, /^If you supply EndDate in the \$filter option, you must also supply StartDate\.$/],
      ["StartDate eq datetime'2026-03-32T00:00:00' and EndDate eq datetime'2026-04-01T00:00:00'", /^Unrecognized 'Edm\.DateTime' literal 'datetime'2026-03-32T00:00:00''/],
      [reportingWindow(iso(today - 10 * DAY - 1), iso(NOW - HOUR)), /^Invalid StartDate value\. The StartDate can't be older than 10 days from today\.$/],
    ] as const) {
      const answer = await light(reportingUrl(emulator, filter));
      assert.equal(answer.status, 400, filter);
      assertSameShape(answer.body, fixtureJson('rws-400-top.json'));
      assert.match(answer.body['odata.error'].message.value, message);
    }
    assert.equal((await light(reportingUrl(emulator, reportingWindow(iso(today - 10 * DAY), iso(today - 9 * DAY))))).status, 200, 'exactly 10 days back is allowed');
  });

  it('401 is the IIS HTML page, 403 the bare JSON of the SEKOIA fixtures', async () => {
    const emulator = emulatorOf();
    const unauthorized = await call(reportingUrl(emulator, narrow), { headers: { authorization: 'Bearer nope', accept: 'application/json' } });
    assert.equal(unauthorized.status, 401);
    assert.match(unauthorized.headers.get('content-type') ?? '', /^text\/html/);
    const elements = [...fixtureText('rws-401.html').matchAll(/<(title|h1|h2|h3)>(.*?)<\/\1>/g)].map((m) => m[0]);
    assert.equal(elements.length, 4);
    for (const element of elements) assert.ok(unauthorized.text.includes(element), `the page has ${element}`);
    emulator.setPermissions({ reporting: false });
    try {
      const forbidden = await light(reportingUrl(emulator, narrow));
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.text, fixtureText('rws-403.json'));
    } finally {
      emulator.setPermissions({ reporting: true });
    }
  });
});
