import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type proto from '@temporalio/proto';
import { codecKey, EncryptionCodec } from '../../codec/codec.js';
import { packRecords } from '../../activities/packed-records.js';
import { clearPayloadText, decodedPayloadText, findLeaks, rawHistoryBytes } from './leaks.js';
import { payloadConverter } from '../../codec/payload-converter.js';

const SUBJECT = 'Planted subject: merger with Fabrikam';
const SECRET = 'planted-client-secret-9f8e7d';

/** A one-event history whose input is `value`, encoded by `codec` or by the plain JSON converter. */
async function historyWith(value: unknown, codec?: EncryptionCodec): Promise<proto.temporal.api.history.v1.IHistory> {
  const plain = payloadConverter.toPayload(value);
  const payloads = codec ? await codec.encode([plain]) : [plain];
  return { events: [{ workflowExecutionStartedEventAttributes: { input: { payloads } } }] };
}

describe('the leak finder the security tests rely on', () => {
  it('finds a secret planted in a log line and names where', () => {
    const logs = { 'worker log': `{"level":30,"msg":"token requested","detail":"${SECRET}"}\n`, 'status output': 'cursor 2026-11-24T10:00:00Z' };
    assert.deepEqual(findLeaks(logs, { 'client secret': SECRET, subject: SUBJECT }), ['client secret in worker log']);
  });

  it('finds a subject inside the protobuf bytes of a history stored without the codec, and not once the codec encrypted it', async () => {
    const codec = new EncryptionCodec([codecKey(randomBytes(32))]);
    const clear = rawHistoryBytes(await historyWith({ records: [{ subject: SUBJECT }] }));
    const encrypted = rawHistoryBytes(await historyWith({ records: [{ subject: SUBJECT }] }, codec));
    assert.deepEqual(findLeaks({ clear, encrypted }, { subject: SUBJECT }), ['subject in clear']);
    // ...while someone holding the key does read it: the needle is real, the encryption is what hides it
    assert.ok((await decodedPayloadText(await historyWith({ subject: SUBJECT }, codec), codec)).includes(SUBJECT));
  });

  it('finds a subject in a packed (deflated) page stored without the codec, where a plain byte search would miss it', async () => {
    const page = { packed: packRecords([{ id: 'm1', subject: SUBJECT }]) };
    const clear = await historyWith(page);
    const encrypted = await historyWith(page, new EncryptionCodec([codecKey(randomBytes(32))]));
    assert.deepEqual(findLeaks({ bytes: rawHistoryBytes(clear) }, { subject: SUBJECT }), [], 'deflated, the bytes alone do not show it');
    assert.deepEqual(findLeaks({ clear: clearPayloadText(clear), encrypted: clearPayloadText(encrypted) }, { subject: SUBJECT }), ['subject in clear']);
  });
});
