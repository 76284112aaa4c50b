import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeRetryAfter, MAX_RETRY_AFTER_MS, parseRetryAfter, retryAfterInMessage, retryDelayFor } from '../../microsoft/retry-after.js';
import { ThrottledError } from '../../microsoft/errors.js';
import { toApplicationFailure } from '../../activities/failures.js';
import { ApplicationFailure } from '@temporalio/common';
import { resolveNextLink } from '../../microsoft/next-link.js';
import { MalformedResponseError } from '../../microsoft/errors.js';
import { graphFirstPageUrl } from '../../microsoft/graph.js';
import { reportingFirstPageUrl } from '../../microsoft/reporting.js';

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    assert.equal(parseRetryAfter('2', now), 2000);
    assert.equal(parseRetryAfter(['120'], now), 120_000);
    assert.equal(parseRetryAfter('Tue, 24 Nov 2026 10:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 24 Nov 2026 09:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), 'unreadable');
    assert.equal(parseRetryAfter('-5', now), 'unreadable');
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('is honoured up to 5 minutes, the quota window; larger or unreadable values wait 5 minutes, no header 30 s', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    assert.equal(MAX_RETRY_AFTER_MS, 300_000);
    assert.equal(retryDelayFor(parseRetryAfter('2', now)), 2_000);
    assert.equal(retryDelayFor(parseRetryAfter('300', now)), 300_000);
    assert.equal(retryDelayFor(parseRetryAfter('315360000', now)), 300_000, 'ten years');
    assert.equal(retryDelayFor(parseRetryAfter('9'.repeat(400), now)), 300_000, 'beyond a double');
    assert.equal(retryDelayFor(parseRetryAfter('Tue, 01 Jan 2036 00:00:00 GMT', now)), 300_000, 'a date in 2036');
    assert.equal(retryDelayFor(parseRetryAfter('soon', now)), 300_000, 'unreadable');
    assert.equal(retryDelayFor(parseRetryAfter(undefined, now)), 30_000, 'absent: the default');
    assert.equal(retryDelayFor(parseRetryAfter('315360000', now), 3_000), 3_000, 'a lower cap');
  });

  it("a 429's failure retries within the cap and names the value Microsoft asked for", () => {
    const failure = toApplicationFailure(new ThrottledError('GET /x: 429', 315_360_000_000));
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'Throttled');
    assert.equal(failure.nextRetryDelay, 300_000);
    assert.match(failure.message, /Retry-After: 315360000 s, retrying in 300 s/);
    assert.equal(retryAfterInMessage(failure.message), 315_360_000_000);
    assert.equal(retryAfterInMessage(`x; Microsoft asked ${describeRetryAfter('unreadable')}`), 'unreadable');
    assert.equal(retryAfterInMessage(`x; Microsoft asked ${describeRetryAfter(undefined)}`), undefined);
  });
});

describe('next links', () => {
  const request = 'https://reports.office365.com/ecp/reportingwebservice/reporting.svc/MessageTrace?$top=2';
  it('resolves the Reporting Web Service relative form like RFC 3986 (docs/sources.md#rws-json-shapes)', () => {
    assert.equal(
      resolveNextLink('../../ReportingWebService/Reporting.svc/MessageTrace?$skiptoken=2', request, 'GET'),
      'https://reports.office365.com/ecp/ReportingWebService/Reporting.svc/MessageTrace?$skiptoken=2',
    );
  });
  it('keeps an absolute link verbatim and ends paging on an empty one', () => {
    const link = 'https://reports.office365.com/ecp/x?$skiptoken=eyJ9';
    assert.equal(resolveNextLink(link, request, 'GET'), link);
    assert.equal(resolveNextLink(undefined, request, 'GET'), undefined);
  });
  it('refuses a link to another host, so the bearer token stays home', () => {
    assert.throws(() => resolveNextLink('https://evil.example/steal', request, 'GET'), MalformedResponseError);
  });
});

describe('first-page URLs', () => {
  const window = { startMs: Date.parse('2026-11-24T10:00:00Z'), endMs: Date.parse('2026-11-24T10:05:00Z') };
  it('Graph: inclusive ge/le bounds at 7-digit precision and $top', () => {
    const url = new URL(graphFirstPageUrl('https://graph.microsoft.com', window, 500));
    assert.equal(url.pathname, '/v1.0/admin/exchange/tracing/messageTraces');
    assert.equal(url.searchParams.get('$filter'), 'receivedDateTime ge 2026-11-24T10:00:00.0000000Z and receivedDateTime le 2026-11-24T10:04:59.9999999Z');
    assert.equal(url.searchParams.get('$top'), '500');
  });
  it("RWS: eq on both bounds with datetime'...' literals", () => {
    const url = new URL(reportingFirstPageUrl('https://reports.office365.com', window, 500));
    assert.equal(url.searchParams.get('$filter'), "StartDate eq datetime'2026-11-24T10:00:00.0000000Z' and EndDate eq datetime'2026-11-24T10:04:59.9999999Z'");
  });
});
