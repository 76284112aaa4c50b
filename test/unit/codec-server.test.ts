import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { packRecords } from '../../activities/packed-records.js';
import { codecKey, EncryptionCodec } from '../../codec/codec.js';
import { startCodecServer } from '../../codec/codec-server.js';
import { payloadConverter } from '../../codec/payload-converter.js';

describe('codec server', () => {
  const codec = new EncryptionCodec([codecKey(randomBytes(32))]);
  const servers: { close(): void }[] = [];
  after(() => servers.forEach((s) => s.close()));

  it('decodes for the UI what the worker encoded, with CORS for the UI origin and a bearer token', async () => {
    const { server, url } = await startCodecServer({ codec, allowOrigin: 'http://127.0.0.1:8233', bearerToken: 'ui-token' });
    servers.push(server);
    const [sealed] = await codec.encode([payloadConverter.toPayload({ status: 'delivered' })]);
    const body = JSON.stringify({
      payloads: [{ metadata: Object.fromEntries(Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(sealed!.data!).toString('base64') }],
    });
    const refused = await fetch(`${url}/decode?preserveStorageRefs=true`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.equal(refused.status, 401);
    const response = await fetch(`${url}/decode?preserveStorageRefs=true`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: 'Bearer ui-token' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://127.0.0.1:8233');
    const { payloads } = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    const decoded = { metadata: Object.fromEntries(Object.entries(payloads[0]!.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(payloads[0]!.data, 'base64') };
    assert.deepEqual(payloadConverter.fromPayload(decoded), { status: 'delivered' });
  });

  it('shows a packed page as its records, so the UI can read what a pull brought and a send carried (binary, or base64 in older histories)', async () => {
    const { server, url } = await startCodecServer({ codec, allowOrigin: 'http://127.0.0.1:8233' });
    servers.push(server);
    const records = [{ id: 'm1', recipientAddress: 'a@contoso.com', receivedDateTime: '2026-11-24T10:00:00Z' }, { id: 'm2', recipientAddress: 'b@contoso.com' }];
    const packed = packRecords(records);
    const page = { packed, nextLink: 'https://graph.microsoft.com/next' };
    const olderPage = { packed: { count: packed.count, deflatedEvents: Buffer.from(packed.deflated!).toString('base64') }, nextLink: page.nextLink };
    const sealed = await codec.encode([payloadConverter.toPayload(page), payloadConverter.toPayload(olderPage)]);
    assert.ok(!Buffer.from(sealed[0]!.data!).toString('latin1').includes('contoso'), 'in history the page is encrypted');
    const body = JSON.stringify({
      payloads: sealed.map((p) => ({ metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(p.data!).toString('base64') })),
    });
    const response = await fetch(`${url}/decode`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const { payloads } = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.equal(payloads.length, 2);
    for (const shown of payloads) {
      assert.equal(Buffer.from(shown.metadata.encoding!, 'base64').toString(), 'json/plain', 'the UI shows JSON');
      assert.deepEqual(JSON.parse(Buffer.from(shown.data, 'base64').toString()), { packed: { count: 2, records }, nextLink: page.nextLink });
    }
  });
});
