import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { afterResumePoint, normaliseReceived, resumePointOf } from '../../microsoft/resume-point.js';

describe('resume points', () => {
  it('normalise every received-time form the APIs send to 7 digits and Z', () => {
    assert.equal(normaliseReceived('2026-11-24T10:00:00.1234567Z'), '2026-11-24T10:00:00.1234567Z');
    assert.equal(normaliseReceived('2026-11-24T10:00:00.12Z'), '2026-11-24T10:00:00.1200000Z');
    assert.equal(normaliseReceived('2026-11-24T10:00:00.4907658'), '2026-11-24T10:00:00.4907658Z');
    assert.equal(normaliseReceived('2026-11-24T10:00:00Z'), '2026-11-24T10:00:00.0000000Z');
    assert.equal(normaliseReceived('/Date(1658751973240)/'), '2022-07-25T12:26:13.2400000Z');
    assert.equal(normaliseReceived('yesterday'), undefined);
  });

  it('drop exactly the rows already delivered at the resume time, by recipient order', () => {
    const at = '2026-11-24T10:00:00.5000000Z';
    const rows = [
      { receivedDateTime: at, recipientAddress: 'a@x.com' },
      { receivedDateTime: at, recipientAddress: 'b@x.com' },
      { receivedDateTime: at, recipientAddress: 'c@x.com' },
      { receivedDateTime: '2026-11-24T10:00:00.4000000Z', recipientAddress: 'a@x.com' },
    ];
    const point = resumePointOf(rows.slice(0, 2))!;
    assert.deepEqual(point, { received: at, recipient: 'b@x.com' });
    assert.deepEqual(afterResumePoint(rows, point), rows.slice(2));
    assert.equal(resumePointOf([]), undefined);
  });
});
