import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { packRecords, unpackLines } from '../../activities/packed-records.js';

describe('packed records', () => {
  it('unpack gives each record back as its own JSON line, whatever the strings hold', () => {
    const hostileText = fc.string({ unit: 'grapheme-composite' }).map((s) => `${s}\n\r\u2028\u0000${s}`);
    const record = fc.record({ id: fc.uuid(), recipientAddress: fc.emailAddress(), subject: fc.oneof(fc.string({ unit: 'binary' }), hostileText), size: fc.integer() });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 50 }), (records) => {
        const lines = unpackLines(packRecords(records));
        assert.equal(lines.length, records.length);
        assert.deepEqual(lines, records.map((r) => JSON.stringify(r)));
        assert.deepEqual(lines.map((l) => JSON.parse(l) as unknown), JSON.parse(JSON.stringify(records)));
      }),
      { numRuns: 200 },
    );
  });

  it('an empty page packs to nothing and back', () => {
    assert.deepEqual(unpackLines(packRecords([])), []);
  });

  it('a page whose line count does not match its declared count is refused, never sent short', () => {
    const packed = packRecords([{ id: 'a' }, { id: 'b' }]);
    assert.throws(() => unpackLines({ ...packed, count: 3 }), /holds 2 lines, not the 3 records/);
  });

  it('a page of 1,000 records packs to a fraction of its JSON', () => {
    const records = Array.from({ length: 1000 }, (_, i) => ({ id: `9f1c2a3b-0000-4000-8000-${String(i).padStart(12, '0')}`, recipientAddress: `user${i % 50}@contoso.com`, status: 'delivered', subject: `Quarterly report ${i % 7}` }));
    const packed = packRecords(records);
    assert.ok(packed.deflatedLines.length < JSON.stringify(records).length / 3, `${packed.deflatedLines.length} base64 characters`);
  });
});
