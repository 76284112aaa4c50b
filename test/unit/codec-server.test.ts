import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { codecKey, EncryptionCodec } from '../../codec/codec.js';
import { startCodecServer } from '../../codec/codec-server.js';

describe('codec server', () => {
  const codec = new EncryptionCodec([codecKey(randomBytes(32))]);
  const servers: { close(): void }[] = [];
  after(() => servers.forEach((s) => s.close()));

  it('decodes for the UI what the worker encoded, with CORS for the UI origin and a bearer token', async () => {
    const { server, url } = await startCodecServer({ codec, allowOrigin: 'http://127.0.0.1:8233', bearerToken: 'ui-token' });
    servers.push(server);
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload({ status: 'delivered' })]);
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
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), { status: 'delivered' });
  });
});
