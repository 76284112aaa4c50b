import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { codecKey, EncryptionCodec, KEY_ID_KEY } from '../../codec/codec.js';
import { payloadConverter } from '../../codec/payload-converter.js';

const page = { records: Array.from({ length: 1000 }, (_, i) => ({ id: `id-${i}`, recipientAddress: `user${i}@contoso.com`, subject: 'Quarterly Report – ünïcødé 📈' })) };

describe('payload codec', () => {
  it('round-trips a payload and leaves nothing readable in the encoded bytes', async () => {
    const codec = new EncryptionCodec([codecKey(randomBytes(32))]);
    const payload = payloadConverter.toPayload(page);
    const [encoded] = await codec.encode([payload]);
    assert.ok(!Buffer.from(encoded!.data!).includes('contoso.com'));
    assert.ok(!Buffer.from(encoded!.data!).includes('Quarterly'));
    const [decoded] = await codec.decode([encoded!]);
    assert.deepEqual(payloadConverter.fromPayload(decoded!), page);
  });

  it('compresses a page of records well below the 256 KB payload budget', async () => {
    const codec = new EncryptionCodec([codecKey(randomBytes(32))]);
    const payload = payloadConverter.toPayload(page);
    const [encoded] = await codec.encode([payload]);
    assert.ok(encoded!.data!.length < payload.data!.length / 3, `${encoded!.data!.length} vs ${payload.data!.length}`);
  });

  it('decodes with a previous key after rotation, and refuses an unknown key by id', async () => {
    const oldKey = codecKey(randomBytes(32));
    const newKey = codecKey(randomBytes(32));
    const [sealed] = await new EncryptionCodec([oldKey]).encode([payloadConverter.toPayload('x')]);
    assert.equal(Buffer.from(sealed!.metadata![KEY_ID_KEY]!).toString(), oldKey.id);
    const [opened] = await new EncryptionCodec([newKey, oldKey]).decode([sealed!]);
    assert.equal(payloadConverter.fromPayload(opened!), 'x');
    await assert.rejects(new EncryptionCodec([newKey]).decode([sealed!]), /not configured/);
  });

  it('detects tampering', async () => {
    const codec = new EncryptionCodec([codecKey(randomBytes(32))]);
    const [sealed] = await codec.encode([payloadConverter.toPayload('secret')]);
    const data = Buffer.from(sealed!.data!);
    data[20]! ^= 1;
    await assert.rejects(codec.decode([{ ...sealed!, data }]));
  });
});
