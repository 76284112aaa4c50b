import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { Response } from 'got';
import { MicrosoftApiError } from '../../microsoft/errors.js';
import { pullGraphPage, readGraphPage } from '../../microsoft/graph.js';
import { parseApiResponse } from '../../microsoft/http.js';
import { receivedTimeMs } from '../../microsoft/received-time.js';
import type { TracePage } from '../../microsoft/records.js';
import { pullReportingPage, readReportingPage } from '../../microsoft/reporting.js';
import { TOO_DEEP_ROW } from '../../microsoft/row-check.js';
import { anyRow, hostileString, hugeString, invalidUtf8Text, nestedArrays, nextLinkValue, RUNS } from './hostile.js';

type Source = 'graph' | 'reporting';
const WINDOW = { startMs: Date.UTC(2026, 10, 24, 10), endMs: Date.UTC(2026, 10, 24, 10, 5) };
const TOKEN = 'property-test-bearer-token';

/** A got response as parseApiResponse sees it, without a socket. */
function response(statusCode: number, contentType: string | undefined, body: string): Response<string> {
  return { statusCode, body, headers: contentType === undefined ? {} : { 'content-type': contentType } } as unknown as Response<string>;
}

function readPage(source: Source, url: string, res: Response<string>): TracePage {
  const body = parseApiResponse(res, `GET ${url}`);
  return source === 'graph' ? readGraphPage(body, url, 'GET') : readReportingPage(body, url, 'GET');
}

/** What every page must be: usable records only, nothing lost, a same-origin next link, serialisable. */
function assertSoundPage(page: TracePage, source: Source, url: string, rowCount?: number): void {
  for (const r of page.records) {
    assert.ok(typeof r === 'object' && r !== null && !Array.isArray(r));
    if (source === 'graph') {
      assert.ok(typeof r.id === 'string' && typeof r.recipientAddress === 'string' && receivedTimeMs(r.receivedDateTime) !== undefined, JSON.stringify(r));
    } else {
      assert.ok(typeof (r.MessageTraceId ?? r.MessageId) === 'string' && typeof r.RecipientAddress === 'string' && receivedTimeMs(r.Received) !== undefined, JSON.stringify(r));
      assert.equal('__metadata' in r, false, 'the OData envelope is not record data');
    }
  }
  if (rowCount !== undefined) assert.equal(page.records.length + page.unparseable.length, rowCount, 'every row is either a record or dead-lettered');
  if (page.nextLink !== undefined) assert.equal(new URL(page.nextLink).origin, new URL(url).origin);
  assert.doesNotThrow(() => JSON.stringify(page), 'the page can cross the activity boundary');
}

/** Failures must be typed, and their messages one bounded line naming no token. */
function assertTypedError(err: unknown): void {
  assert.ok(err instanceof MicrosoftApiError, `untyped ${String(err)}`);
  assert.ok(!/\p{Cc}/u.test(err.message), `control characters in ${JSON.stringify(err.message)}`);
  assert.ok(err.message.length < 1000);
  assert.ok(!err.message.includes(TOKEN));
}

const graphBody = fc.record({ value: fc.array(anyRow, { maxLength: 8 }), '@odata.nextLink': nextLinkValue }, { requiredKeys: ['value'] });
const reportingBody = fc.oneof(
  fc.record({ value: fc.array(anyRow, { maxLength: 8 }), 'odata.nextLink': nextLinkValue }, { requiredKeys: ['value'] }),
  fc.record({ d: fc.record({ results: fc.array(anyRow, { maxLength: 8 }), __next: nextLinkValue }, { requiredKeys: ['results'] }) }),
  fc.record({ d: fc.array(anyRow, { maxLength: 8 }) }),
);
/** Page-shaped JSON (so row checks are reached), other JSON, and text that is not JSON at all. */
const bodyText = (source: Source) =>
  fc.oneof(
    { weight: 5, arbitrary: (source === 'graph' ? graphBody : reportingBody).map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 5 }) },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: invalidUtf8Text },
  );
const status = fc.oneof({ weight: 6, arbitrary: fc.constant(200) }, { weight: 1, arbitrary: fc.integer({ min: 100, max: 599 }) });
const contentType = fc.oneof(fc.constantFrom('application/json', 'application/json; odata.metadata=minimal', 'text/html; charset=utf-8', 'text/plain', undefined), hostileString);

for (const source of ['graph', 'reporting'] as const) {
  const url = source === 'graph' ? 'https://graph.example/v1.0/admin/exchange/tracing/messageTraces?$top=2' : 'https://reports.example/ecp/reportingwebservice/reporting.svc/MessageTrace?$top=2';

  describe(`${source} pages from hostile answers`, () => {
    it('any status, content type and body gives a sound page or a typed error, never a crash', () => {
      fc.assert(
        fc.property(status, contentType, bodyText(source), (code, type, body) => {
          try {
            assertSoundPage(readPage(source, url, response(code, type, body)), source, url);
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            assertTypedError(err);
          }
        }),
        { numRuns: RUNS.pure },
      );
    });

    it('every row of a page-shaped 200 is either a record or dead-lettered', () => {
      fc.assert(
        fc.property(source === 'graph' ? graphBody : reportingBody, (body) => {
          const rows = 'value' in body ? body.value : Array.isArray(body.d) ? body.d : body.d.results;
          try {
            assertSoundPage(readPage(source, url, response(200, 'application/json', JSON.stringify(body))), source, url, rows.length);
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            assertTypedError(err); // only a bad next link may refuse the page
            assert.match((err as Error).message, /next link/);
          }
        }),
        { numRuns: RUNS.pure },
      );
    });

    it('100,000 nested arrays as the body, as a row, inside a record or as the next link: a typed error or a dead-lettered row', () => {
      const deep = nestedArrays(100_000);
      const row = source === 'graph' ? '{"id":"a","recipientAddress":"r@x.com","receivedDateTime":"2026-11-24T10:00:00Z","x":DEEP}' : '{"MessageTraceId":"a","RecipientAddress":"r@x.com","Received":"2026-11-24T10:00:00","x":DEEP}';
      const listKey = 'value';
      const linkKey = source === 'graph' ? '@odata.nextLink' : 'odata.nextLink';
      assert.throws(() => readPage(source, url, response(200, 'application/json', deep)), MicrosoftApiError);
      for (const rows of [deep, row.replace('DEEP', deep), `${row.replace('DEEP', '1')},${deep}`]) {
        const page = readPage(source, url, response(200, 'application/json', `{"${listKey}":[${rows}]}`));
        assertSoundPage(page, source, url);
        assert.ok(page.unparseable.includes(TOO_DEEP_ROW), 'the deep row is set aside, not kept');
      }
      assert.throws(() => readPage(source, url, response(200, 'application/json', `{"${listKey}":[],"${linkKey}":${deep}}`)), MicrosoftApiError);
    });

    it('a multi-MiB string in a row or as the whole body is handled like any other', () => {
      fc.assert(
        fc.property(hugeString, (huge) => {
          const row = source === 'graph' ? { id: 'a', recipientAddress: 'r@x.com', receivedDateTime: '2026-11-24T10:00:00Z', subject: huge } : { MessageTraceId: 'a', RecipientAddress: 'r@x.com', Received: '2026-11-24T10:00:00', Subject: huge };
          const page = readPage(source, url, response(200, 'application/json', JSON.stringify({ value: [row, { id: huge }] })));
          assertSoundPage(page, source, url, 2);
          assert.equal(page.records.length, 1);
          assert.throws(() => readPage(source, url, response(200, 'application/json', huge)), MicrosoftApiError);
        }),
        { numRuns: 6 },
      );
    });
  });
}

describe('pages over a real socket, with bytes that are not UTF-8', () => {
  let server: Server;
  let base: string;
  let answer: { status: number; contentType?: string; body: Buffer } = { status: 200, body: Buffer.from('{}') };
  before(async () => {
    server = createServer((req, res) => {
      res.writeHead(answer.status, answer.contentType === undefined ? {} : { 'content-type': answer.contentType });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
    graphBody.map((b) => Buffer.from(JSON.stringify(b))),
    // a page whose strings carry raw invalid UTF-8 bytes (a lone 0xff, a cut 3-byte sequence)
    fc.constantFrom(Buffer.from([0xff, 0xe2, 0x82]), Buffer.from([0xc0, 0xaf])).map((bad) =>
      Buffer.concat([Buffer.from('{"value":[{"id":"'), bad, Buffer.from('","recipientAddress":"a@b.c","receivedDateTime":"2026-11-24T10:00:00Z","subject":"'), bad, Buffer.from('"}]}')]),
    ),
  );
  const served = fc.record({ status: fc.oneof(fc.constant(200), fc.integer({ min: 200, max: 599 })), contentType: fc.constantFrom('application/json', 'text/html', undefined), body: bytes });

  for (const source of ['graph', 'reporting'] as const) {
    it(`${source}: whatever the server sends, pullPage's client returns a sound page or a typed error`, async () => {
      await fc.assert(
        fc.asyncProperty(served, async (next) => {
          answer = next;
          const request = { baseUrl: base, window: WINDOW, pageSize: 10, accessToken: TOKEN };
          try {
            const page = await (source === 'graph' ? pullGraphPage(request) : pullReportingPage(request));
            assertSoundPage(page, source, base);
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            assertTypedError(err);
          }
        }),
        { numRuns: RUNS.sockets },
      );
    });
  }
});
