import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities/index.js';
import type { DevoEvent, DevoTransport } from '../../devo/transport.js';
import { normaliseReceived, receivedTimeMs } from '../../microsoft/received-time.js';
import { sortRows } from '../../microsoft/row-check.js';
import { devoActivityDeps } from '../helpers/devo-activity-deps.js';
import { hostileString, receivedText, RUNS } from './hostile.js';

const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const instant = fc.integer({ min: 0, max: MAX_MS });
/** 0-7 fractional digits, as Graph (up to 7 with Z) and the Reporting Web Service (7, no zone) write them. */
const fraction = fc.stringMatching(/^\d{0,7}$/);

describe('received times from hostile text', () => {
  it('any value gives epoch milliseconds within years 1970-9999, or undefined; never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(receivedText, hostileString, fc.anything()), (value) => {
        const ms = receivedTimeMs(value);
        assert.ok(ms === undefined || (Number.isInteger(ms) && ms >= 0 && ms <= MAX_MS), String(ms));
        const normal = normaliseReceived(value);
        assert.ok(normal === undefined || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/.test(normal), normal);
      }),
      { numRuns: RUNS.pure * 3 },
    );
  });

  it('the three forms of one instant agree: ISO with Z, ISO without a zone (RWS light), /Date(ms)/ (RWS verbose)', () => {
    fc.assert(
      fc.property(instant, fraction, (ms, digits) => {
        const seconds = new Date(ms).toISOString().slice(0, 19);
        const text = digits === '' ? seconds : `${seconds}.${digits}`;
        const expected = Date.parse(`${seconds}Z`) + Number(digits.padEnd(3, '0').slice(0, 3));
        assert.equal(receivedTimeMs(`${text}Z`), expected);
        assert.equal(receivedTimeMs(text), expected);
        assert.equal(receivedTimeMs(`/Date(${ms})/`), ms);
        // the resume point keeps Microsoft's own sub-millisecond digits
        assert.equal(normaliseReceived(`${text}Z`), `${seconds}.${digits.padEnd(7, '0')}Z`);
        assert.equal(normaliseReceived(text), normaliseReceived(`${text}+00:00`));
      }),
      { numRuns: RUNS.pure },
    );
  });

  it('times a syslog header cannot carry are not received times: /Date(huge)/, negative, past year 9999', () => {
    for (const text of ['/Date(99999999999999999999)/', '/Date(253402300800000)/', '/Date(-1)/', '1969-12-31T23:59:59Z', '9999-12-31T23:59:59-01:00', '2026-13-01T00:00:00Z']) {
      assert.equal(receivedTimeMs(text), undefined, text);
      assert.equal(normaliseReceived(text), undefined, text);
    }
  });

  it("a row pullPage keeps is timestamped by sendToDevo with exactly this parser's time (no fallback to now, no unframeable time)", async () => {
    const row = fc.record({ id: fc.uuid(), recipientAddress: fc.emailAddress(), receivedDateTime: receivedText });
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 20 }), async (rows) => {
        const { records } = sortRows(rows, 'graph');
        const sent: DevoEvent[] = [];
        const devo: DevoTransport = { description: 'memory', sendBatch: async (events) => (sent.push(...events), { bytes: 0 }) };
        const now = () => 1; // a record stamped "now" would show up as 1
        await new MockActivityEnvironment().run(createActivities(devoActivityDeps(devo, { now })).sendToDevo, { tenantId: 't', records, window: { startMs: 0, endMs: 1 }, page: 1 });
        assert.deepEqual(sent.map((e) => e.timestamp), records.map((r) => receivedTimeMs(r.receivedDateTime)));
      }),
      { numRuns: RUNS.sockets },
    );
  });
});
