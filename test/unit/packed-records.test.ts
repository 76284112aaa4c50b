import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { receivedTimeMs } from '../../microsoft/received-time.js';
import { PackedChunk, packRecords } from '../../activities/packed-records.js';
import { unpackEvents } from '../../records/packed-lines.js';

describe('packed records', () => {
  it('unpack gives each record back as its own JSON, whatever the strings hold, with its received time', () => {
    const hostileText = fc.string({ unit: 'grapheme-composite' }).map((s) => `${s}\n\r\u2028\u0000${s}`);
    const time = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    const record = fc.record({ id: fc.uuid(), recipientAddress: fc.emailAddress(), receivedDateTime: fc.oneof(time, fc.string()), subject: fc.oneof(fc.string({ unit: 'binary' }), hostileText), size: fc.integer() });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 50 }), (records) => {
        const events = unpackEvents(packRecords(records));
        assert.deepEqual(events.map((e) => e.json), records.map((r) => JSON.stringify(r)));
        assert.deepEqual(events.map((e) => e.timeMs), records.map((r) => receivedTimeMs(r.receivedDateTime)));
      }),
      { numRuns: 200 },
    );
  });

  it('an empty page packs to nothing and back', () => {
    assert.deepEqual(unpackEvents(packRecords([])), []);
  });

  it('a page whose line count does not match its declared count is refused, never sent short', () => {
    const packed = packRecords([{ id: 'a' }, { id: 'b' }]);
    assert.throws(() => unpackEvents({ ...packed, count: 3 }), /holds 2 lines, not the 3 records/);
  });

  it('a page packed as base64 by earlier versions (in older histories) unpacks the same', () => {
    const records = [{ id: 'a', receivedDateTime: '2026-11-24T10:00:00Z' }, { id: 'b' }];
    const packed = packRecords(records);
    const legacy = { count: packed.count, deflatedEvents: Buffer.from(packed.deflated!).toString('base64') };
    assert.deepEqual(unpackEvents(legacy), unpackEvents(packed));
    assert.deepEqual(unpackEvents(legacy).map((e) => JSON.parse(e.json) as unknown), records);
  });

  it('a page of 1,000 records packs to a fraction of its JSON', () => {
    const records = Array.from({ length: 1000 }, (_, i) => ({ id: `9f1c2a3b-0000-4000-8000-${String(i).padStart(12, '0')}`, recipientAddress: `user${i % 50}@contoso.com`, status: 'delivered', subject: `Quarterly report ${i % 7}` }));
    const packed = packRecords(records);
    assert.ok(packed.deflated!.length < JSON.stringify(records).length / 4, `${packed.deflated!.length} bytes`);
  });

  it('a page far larger than the ones before it packs whole: its lines outgrow the buffer they are written to', () => {
    const small = [{ id: 'first', receivedDateTime: '2026-11-24T10:00:00Z' }];
    // About 5 MB of lines, in characters of one to four UTF-8 bytes each.
    const large = Array.from({ length: 2000 }, (_, i) => ({ id: `r${i}`, receivedDateTime: '2026-11-24T10:00:01.1234567Z', subject: `é€𝄞a`.repeat(100 + (i % 300)) }));
    const chunk = new PackedChunk();
    chunk.add(small);
    chunk.add(large);
    chunk.add(small);
    const events = unpackEvents(chunk.finish());
    assert.deepEqual(events.map((e) => e.json), [...small, ...large, ...small].map((r) => JSON.stringify(r)));
    assert.deepEqual(events.map((e) => e.timeMs), [...small, ...large, ...small].map((r) => receivedTimeMs(r.receivedDateTime)));
  });

  it('pages packed one by one into a chunk unpack as one page, in order, with the sizes the puller steers by', () => {
    const record = fc.record({ id: fc.uuid(), recipientAddress: fc.emailAddress(), subject: fc.string({ unit: 'binary' }), size: fc.integer() });
    fc.assert(
      fc.property(fc.array(fc.array(record, { maxLength: 30 }), { maxLength: 6 }), (pages) => {
        const chunk = new PackedChunk();
        let bytes = 0;
        for (const page of pages) {
          chunk.add(page);
          if (page.length > 0) bytes += chunk.lastPageBytes;
          assert.equal(chunk.bytes, bytes);
        }
        const all = pages.flat();
        const packed = chunk.finish();
        assert.equal(packed.count, all.length);
        assert.deepEqual(unpackEvents(packed).map((e) => e.json), all.map((r) => JSON.stringify(r)));
      }),
      { numRuns: 200 },
    );
  });
});
