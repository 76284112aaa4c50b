import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { createDeflateRaw } from 'node:zlib';
import type { Payload } from '@temporalio/common';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { packRecords } from '../../activities/packed-records.js';
import { codecKey, EncryptionCodec } from '../../codec/codec.js';
import { CodecServerAccessError, MAX_INFLATED_BYTES, startCodecServer, type CodecServerOptions } from '../../codec/codec-server.js';
import { payloadConverter } from '../../codec/payload-converter.js';

const UI = 'http://127.0.0.1:8233';
const codec = new EncryptionCodec([codecKey(randomBytes(32))], { maxInflatedBytes: MAX_INFLATED_BYTES });
const servers: { close(): void }[] = [];
after(() => servers.forEach((s) => s.close()));

async function serve(options: Partial<CodecServerOptions>): Promise<string> {
  const { server, url } = await startCodecServer({ codec, allowOrigin: UI, ...options });
  servers.push(server);
  return url;
}

const bodyOf = (payloads: Payload[]): string =>
  JSON.stringify({ payloads: payloads.map((p) => ({ metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(p.data!).toString('base64') })) });

async function decode(url: string, payloads: Payload[], headers: Record<string, string> = {}): Promise<{ status: number; payloads: Payload[] }> {
  const response = await fetch(`${url}/decode`, { method: 'POST', body: bodyOf(payloads), headers: { 'content-type': 'application/json', ...headers } });
  if (response.status !== 200) return { status: response.status, payloads: [] };
  const json = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
  return { status: 200, payloads: json.payloads.map((p) => ({ metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(p.data, 'base64') })) };
}

/** Raw deflate of `bytes` zeros, made a megabyte at a time so the test itself never holds them. */
async function deflatedZeros(bytes: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const megabyte = Buffer.alloc(1024 * 1024);
  for (let sent = 0; sent < bytes; sent += megabyte.length) if (!deflate.write(megabyte)) await new Promise((resolve) => deflate.once('drain', resolve));
  deflate.end();
  await done;
  return Buffer.concat(out);
}

/** Peak resident memory of this process so far, in MB (it only grows). */
const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

describe('codec server', () => {
  it('decodes for the UI what the worker encoded, with CORS for the UI origin and a bearer token', async () => {
    const url = await serve({ bearerToken: 'ui-token' });
    const sealed = await codec.encode([payloadConverter.toPayload({ status: 'delivered' })]);
    assert.equal((await decode(url, sealed)).status, 401);
    assert.equal((await decode(url, sealed, { authorization: 'Bearer wrong-token' })).status, 401);
    const response = await fetch(`${url}/decode?preserveStorageRefs=true`, { method: 'POST', body: bodyOf(sealed), headers: { 'content-type': 'application/json', authorization: 'Bearer ui-token', origin: UI } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), UI);
    const decoded = await decode(url, sealed, { authorization: 'Bearer ui-token' });
    assert.deepEqual(payloadConverter.fromPayload(decoded.payloads[0]!), { status: 'delivered' });
  });

  it('refuses to start without a token or an OIDC issuer, unless anonymous access is asked for', async () => {
    await assert.rejects(startCodecServer({ codec, allowOrigin: UI }), CodecServerAccessError);
  });

  it('refuses anonymous access on an address other machines reach, at start', async () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.5']) {
      await assert.rejects(startCodecServer({ codec, allowOrigin: UI, host, allowAnonymous: true }), (err: unknown) => err instanceof CodecServerAccessError && err.message.includes('loopback'), host);
    }
  });

  it('refuses a foreign Origin (preflight and request) and a foreign Host name (DNS rebinding)', async () => {
    const url = await serve({ bearerToken: 'ui-token' });
    const sealed = await codec.encode([payloadConverter.toPayload({ status: 'delivered' })]);
    const auth = { authorization: 'Bearer ui-token' };
    assert.equal((await decode(url, sealed, { ...auth, origin: 'https://evil.example' })).status, 403);
    const preflight = await fetch(`${url}/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/decode`, { method: 'POST', headers: { ...auth, host: 'rebind.evil.example:8888', 'content-type': 'application/json' } }, (res) => resolve(res.statusCode!));
      req.on('error', reject);
      req.end(bodyOf(sealed));
    });
    assert.equal(rebound, 403);
    assert.equal((await decode(url, sealed, { ...auth, origin: UI })).status, 200);
  });

  it('answers 413 to a body over the limit without reading the rest of it', async () => {
    const url = await serve({ bearerToken: 'ui-token', maxBodyBytes: 1024 * 1024 });
    const chunk = Buffer.alloc(256 * 1024, 'a');
    const total = 256 * chunk.length; // 64 MB offered, chunked (no Content-Length to refuse it by)
    const { status, written } = await new Promise<{ status: number; written: number }>((resolve, reject) => {
      let written = 0;
      const req = request(`${url}/decode`, { method: 'POST', headers: { authorization: 'Bearer ui-token', 'content-type': 'application/json' } }, (res) => {
        resolve({ status: res.statusCode!, written });
        req.destroy();
      });
      req.on('error', (err) => (written < total ? undefined : reject(err)));
      const pump = (): void => {
        while (written < total && !req.destroyed) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) req.end();
      };
      pump();
    });
    assert.equal(status, 413);
    assert.ok(written < total / 2, `the client could write ${written} of ${total} bytes`);
    const declared = await fetch(`${url}/decode`, { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024), headers: { authorization: 'Bearer ui-token' } });
    assert.equal(declared.status, 413);
  });

  it('does not decode or unpack payloads it did not encrypt: a deflate bomb in a packed page comes back as sent', async () => {
    const url = await serve({ allowAnonymous: true });
    const bomb = await deflatedZeros(512 * 1024 * 1024);
    const packed = payloadConverter.toPayload({ packed: { count: 1, deflated: bomb } });
    const readable = payloadConverter.toPayload({ packed: packRecords([{ id: 'm1', recipientAddress: 'a@contoso.com' }]), nextLink: null });
    const before = peakRssMb();
    const { status, payloads } = await decode(url, [packed, readable]);
    const grown = peakRssMb() - before;
    console.log(`bomb: ${bomb.length} bytes deflated, 512 MiB inflated; peak RSS grew ${grown.toFixed(0)} MB`);
    assert.equal(status, 200);
    assert.equal(bodyOf(payloads), bodyOf([packed, readable]), 'returned exactly as sent, not unpacked');
    assert.ok(grown < 64, `peak RSS grew ${grown} MB`);
  });

  it('unpacks a page of its own only up to the inflate limit (zlib maxOutputLength)', async () => {
    const url = await serve({ allowAnonymous: true, maxInflatedBytes: 8 * 1024 * 1024 });
    const bomb = await deflatedZeros(512 * 1024 * 1024);
    const [sealed] = await codec.encode([payloadConverter.toPayload({ packed: { count: 1, deflated: bomb } })]);
    const before = peakRssMb();
    const { status, payloads } = await decode(url, [sealed!]);
    const grown = peakRssMb() - before;
    assert.equal(status, 200);
    assert.equal(Buffer.from(payloads[0]!.data!).length, bomb.length, 'shown as the packed bytes, not inflated');
    assert.ok(grown < 64, `peak RSS grew ${grown} MB`);
    const small = new EncryptionCodec([codecKey(randomBytes(32))], { maxInflatedBytes: 1024 });
    const [big] = await small.encode([payloadConverter.toPayload({ text: 'x'.repeat(100_000) })]);
    await assert.rejects(small.decode([big!]), RangeError);
  });

  it('shows a packed page as its records, so the UI can read what a pull brought and a send carried (binary, or base64 in older histories)', async () => {
    const url = await serve({ allowAnonymous: true });
    const records = [{ id: 'm1', recipientAddress: 'a@contoso.com', receivedDateTime: '2026-11-24T10:00:00Z' }, { id: 'm2', recipientAddress: 'b@contoso.com' }];
    const packed = packRecords(records);
    const page = { packed, nextLink: 'https://graph.microsoft.com/next' };
    const olderPage = { packed: { count: packed.count, deflatedEvents: Buffer.from(packed.deflated!).toString('base64') }, nextLink: page.nextLink };
    const sealed = await codec.encode([payloadConverter.toPayload(page), payloadConverter.toPayload(olderPage)]);
    assert.ok(!Buffer.from(sealed[0]!.data!).toString('latin1').includes('contoso'), 'in history the page is encrypted');
    const { payloads } = await decode(url, sealed);
    assert.equal(payloads.length, 2);
    for (const shown of payloads) {
      assert.equal(Buffer.from(shown.metadata!.encoding!).toString(), 'json/plain', 'the UI shows JSON');
      assert.deepEqual(JSON.parse(Buffer.from(shown.data!).toString()), { packed: { count: 2, records }, nextLink: page.nextLink });
    }
  });
});

describe('codec server with the UI OIDC sign-in', () => {
  let issuer: string;
  let sign: (claims: { iss?: string; aud?: string; expiresIn?: string }) => Promise<string>;
  let idp: Server;
  before(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    idp = createServer((req, res) => {
      const body = req.url === '/.well-known/openid-configuration' ? { issuer, jwks_uri: `${issuer}/jwks` } : req.url === '/jwks' ? { keys: [jwk] } : undefined;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as { port: number }).port}`;
    sign = (claims) =>
      new SignJWT({ sub: 'alice' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(claims.iss ?? issuer)
        .setAudience(claims.aud ?? 'temporal-ui')
        .setIssuedAt()
        .setExpirationTime(claims.expiresIn ?? '5m')
        .sign(privateKey);
  });
  after(() => idp.close());

  it('accepts the access token the UI passes when its issuer signed it for the audience, and nothing else', async () => {
    const url = await serve({ oidc: { issuer, audience: 'temporal-ui' } });
    const sealed = await codec.encode([payloadConverter.toPayload({ status: 'delivered' })]);
    const bearer = async (claims: Parameters<typeof sign>[0]) => ({ authorization: `Bearer ${await sign(claims)}` });
    assert.equal((await decode(url, sealed, await bearer({}))).status, 200);
    assert.equal((await decode(url, sealed, await bearer({ aud: 'another-app' }))).status, 401);
    assert.equal((await decode(url, sealed, await bearer({ iss: 'https://evil.example' }))).status, 401);
    assert.equal((await decode(url, sealed, await bearer({ expiresIn: '-1m' }))).status, 401);
    assert.equal((await decode(url, sealed)).status, 401);
  });
});
