import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { packRecords } from '../../activities/packed-records.js';
import { unpackEvents } from '../../records/packed-lines.js';
import { codecKey, COMPRESSION_KEY, encodingOf, EncryptionCodec } from '../../codec/codec.js';
import { PACKED_RECORDS_ENCODING, payloadConverter } from '../../codec/payload-converter.js';

const records = Array.from({ length: 1000 }, (_, i) => ({ id: `9f1c2a3b-0000-4000-8000-${String(i).padStart(12, '0')}`, recipientAddress: `user${i % 50}@contoso.com`, status: 'delivered' }));

describe('payload converter: packed pages as binary', () => {
  it('carries a pulled page\'s packed bytes as the payload data, unchanged, and the other fields beside them', () => {
    const page = { packed: packRecords(records), nextLink: 'https://graph.microsoft.com/next', resumePoint: { received: '2026-11-24T10:00:00Z', id: 'x' }, pages: 2 };
    const payload = payloadConverter.toPayload(page);
    assert.equal(encodingOf(payload), PACKED_RECORDS_ENCODING);
    assert.deepEqual(Buffer.from(payload.data!), Buffer.from(page.packed.deflated!));
    const back = payloadConverter.fromPayload<typeof page>(payload);
    assert.deepEqual({ ...back, packed: undefined }, { ...page, packed: undefined });
    assert.equal(back.packed.count, 1000);
    assert.deepEqual(unpackEvents(back.packed).map((e) => JSON.parse(e.json) as unknown), records);
  });

  it('recognises bytes made in another realm, as the workflow sandbox passes them on to sendToDevo', () => {
    const foreign = runInNewContext('new Uint8Array([1, 2, 3])') as Uint8Array;
    assert.ok(!(foreign instanceof Uint8Array), 'the bytes come from another realm');
    const payload = payloadConverter.toPayload({ tenantId: 't', packed: { count: 1, deflated: foreign } });
    assert.equal(encodingOf(payload), PACKED_RECORDS_ENCODING, 'not JSON, where typed arrays become objects of indices');
    assert.deepEqual([...payload.data!], [1, 2, 3]);
    assert.deepEqual(payloadConverter.fromPayload(payload), { tenantId: 't', packed: { count: 1, deflated: payload.data } }, 'and reads back whole');
  });

  it('leaves everything else to the default converters: JSON, undefined, raw bytes, and pages packed as base64 by earlier versions', () => {
    const legacy = { packed: { count: 2, deflatedEvents: 'AwA=' }, nextLink: 'n' };
    assert.equal(encodingOf(payloadConverter.toPayload(legacy)), 'json/plain');
    assert.deepEqual(payloadConverter.fromPayload(payloadConverter.toPayload(legacy)), legacy);
    assert.equal(encodingOf(payloadConverter.toPayload({ status: 'delivered' })), 'json/plain');
    assert.equal(encodingOf(payloadConverter.toPayload(undefined)), 'binary/null');
    assert.equal(encodingOf(payloadConverter.toPayload(new Uint8Array([1]))), 'binary/plain');
  });

  it('is encrypted by the codec without a second compression, and reads back', async () => {
    const codec = new EncryptionCodec([codecKey(randomBytes(32))]);
    const payload = payloadConverter.toPayload({ packed: packRecords(records) });
    const [sealed] = await codec.encode([payload]);
    assert.equal(Buffer.from(sealed!.metadata![COMPRESSION_KEY]!).toString(), 'none');
    assert.ok(!Buffer.from(sealed!.data!).includes(Buffer.from(payload.data!).subarray(0, 64)), 'the packed bytes do not appear as they are');
    // Encrypted only: IV, tag and the payload's protobuf framing around the same bytes.
    assert.ok(sealed!.data!.length - payload.data!.length < 200, `${sealed!.data!.length} bytes sealed for ${payload.data!.length} packed`);
    const [opened] = await codec.decode([sealed!]);
    assert.deepEqual(unpackEvents(payloadConverter.fromPayload<{ packed: Parameters<typeof unpackEvents>[0] }>(opened!).packed).length, 1000);
  });
});
