import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphFilterError, parseGraphFilter } from '../../emulator/microsoft-365/graph-filter.js';
import { parseReportingFilter, ReportingFilterError } from '../../emulator/microsoft-365/reporting-filter.js';
import { decodeSkipToken, encodeSkipToken, SkipTokenError } from '../../emulator/microsoft-365/graph-skiptoken.js';

const at = (iso: string) => ({ ms: Date.parse(iso), sub: 0 });

describe('Graph $filter parsing', () => {
  it('reads the documented time window with unquoted ISO bounds of any precision', () => {
    const f = parseGraphFilter('receivedDateTime ge 2026-01-20T00:00:00Z and receivedDateTime le 2026-01-23T00:00:00.9999999Z');
    assert.deepEqual(f.ge, at('2026-01-20T00:00:00Z'));
    assert.deepEqual(f.le, { ms: Date.parse('2026-01-23T00:00:00.999Z'), sub: 9999 });
    assert.deepEqual(parseGraphFilter('receivedDateTime ge 2026-01-20T00:00:00.123456789Z').ge, { ms: Date.parse('2026-01-20T00:00:00.123Z'), sub: 4567 });
  });

  it('reads eq terms and subject functions, with doubled quotes inside literals', () => {
    const f = parseGraphFilter("contains(subject, 'Don''t and or') and recipientAddress eq 'test@contoso.com' and status eq 'delivered'");
    assert.deepEqual(f.subject, { op: 'contains', text: "Don't and or" });
    assert.deepEqual([...f.equals], [['recipientAddress', 'test@contoso.com'], ['status', 'delivered']]);
    assert.equal(parseGraphFilter("startswith(subject,'Re')").subject?.op, 'startswith');
    assert.equal(parseGraphFilter("id eq 'a3f6d2c1-5c3b-4f7a-9d1e-2c8f1b0a6e45'").equals.get('id'), 'a3f6d2c1-5c3b-4f7a-9d1e-2c8f1b0a6e45');
  });

  it('keeps the observed quirks: or acts as and with the last value winning; functions on addresses are ignored', () => {
    const f = parseGraphFilter("(recipientAddress eq 'a@x.com' or recipientAddress eq 'b@x.com') and startswith(senderAddress, 'x')");
    assert.deepEqual([...f.equals], [['recipientAddress', 'b@x.com']]);
    assert.equal(f.subject, undefined);
  });

  it('refuses what it cannot serve faithfully, with an OData-style message', () => {
    for (const bad of [
      "receivedDateTime gt 2026-01-20T00:00:00Z",
      "receivedDateTime ge '2026-01-20T00:00:00Z'",
      'receivedDateTime ge 2026-01-20T00:00:00',
      'receivedDateTime ge 2026-02-30T00:00:00Z',
      "size eq '5'",
      "senderAddress ne 'a@b.com'",
      "subject eq 'unterminated",
      "recipientAddress eq 'a@b.com' and",
      "status eq delivered",
    ]) {
      assert.throws(() => parseGraphFilter(bad), GraphFilterError, bad);
    }
  });
});

describe('RWS $filter parsing', () => {
  it('reads every datetime literal form real clients send', () => {
    for (const [literal, iso] of [
      ["datetime'2015-06-18T00:00:00'", '2015-06-18T00:00:00Z'],
      ["datetime'2023-12-19T22:47:25Z'", '2023-12-19T22:47:25Z'],
      ["datetime'2023-12-19T22:47:25.123456Z'", '2023-12-19T22:47:25.123Z'],
      ["datetime'2023-12-19T22:47:25.123456+00:00'", '2023-12-19T22:47:25.123Z'],
      ["datetime'2023-12-19T22:47:25.1234567'", '2023-12-19T22:47:25.123Z'],
    ] as const) {
      assert.equal(parseReportingFilter(`StartDate eq ${literal}`).startDate?.ms, Date.parse(iso), literal);
    }
  });

  it('reads the other eq terms, including MessageTraceId as a guid literal', () => {
    const f = parseReportingFilter("StartDate eq datetime'2026-01-01T00:00:00Z' and EndDate eq datetime'2026-01-02T00:00:00Z' and SenderAddress eq 'o''brien@x.com' and MessageTraceId eq guid'3B4FC661-180D-4C2F-60C9-08DA6E38DD10' and Status eq 'Delivered'");
    assert.deepEqual([...f.equals], [['SenderAddress', "o'brien@x.com"], ['MessageTraceId', '3b4fc661-180d-4c2f-60c9-08da6e38dd10'], ['Status', 'Delivered']]);
  });

  it('refuses bad literals, unknown properties and operators other than eq', () => {
    assert.throws(() => parseReportingFilter("StartDate eq datetime'2026-13-01T00:00:00'"), /Unrecognized 'Edm\.DateTime' literal 'datetime'2026-13-01T00:00:00''/);
    assert.throws(() => parseReportingFilter("StartDate eq datetime '2026-01-01T00:00:00'"), ReportingFilterError);
    assert.throws(() => parseReportingFilter("StartDate eq '2026-01-01T00:00:00'"), /Unrecognized 'Edm\.DateTime'/);
    assert.throws(() => parseReportingFilter("startdate eq datetime'2026-01-01T00:00:00'"), /No property 'startdate' exists in type 'TenantReporting\.MessageTrace'/);
    assert.throws(() => parseReportingFilter("StartDate ge datetime'2026-01-01T00:00:00'"), ReportingFilterError);
    assert.throws(() => parseReportingFilter("MessageTraceId eq 'not-a-guid'"), /Edm\.Guid/);
  });
});

describe('Graph $skiptoken', () => {
  const fields = { StartDate: '2026-03-26T00:00:00.0000000Z', EndDate: '2026-03-26T15:43:20.2718704Z', StartingRecipientAddress: 'Linus@contoso.com', ResultSize: '1000' };

  it('is base64 JSON with the four V2-cmdlet keys, readable padded or not', () => {
    const token = encodeSkipToken(fields);
    assert.deepEqual(Object.keys(JSON.parse(Buffer.from(token, 'base64').toString())), ['StartDate', 'EndDate', 'StartingRecipientAddress', 'ResultSize']);
    const decoded = decodeSkipToken(token.replace(/=+$/, ''));
    assert.deepEqual(decoded.endDate, { ms: Date.parse('2026-03-26T15:43:20.271Z'), sub: 8704 });
    assert.equal(decoded.startingRecipientAddress, 'linus@contoso.com');
    assert.equal(decoded.resultSize, 1000);
  });

  it('refuses the double-encoded form with PowerShell’s argument transformation error (elastic#18134)', () => {
    const token = encodeSkipToken(fields, true);
    assert.match(Buffer.from(token, 'base64').toString(), /"StartDate":"\\"2026-03-26T00:00:00\.0000000Z\\""/);
    assert.throws(() => decodeSkipToken(token), (err: Error) => err instanceof SkipTokenError && err.message.startsWith("Cannot process argument transformation on parameter 'StartDate'"));
  });

  it('refuses garbage and a bad starting address', () => {
    for (const bad of ['not base64!', Buffer.from('{"a":1}').toString('base64'), Buffer.from('nope').toString('base64')]) assert.throws(() => decodeSkipToken(bad), SkipTokenError);
    assert.throws(() => decodeSkipToken(encodeSkipToken({ ...fields, StartingRecipientAddress: 'nobody' })), /Invalid starting recipient address/);
  });
});
