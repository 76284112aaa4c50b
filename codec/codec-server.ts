import { createServer, type IncomingMessage, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { withReadablePages } from './readable-pages.js';

/** Options of the codec server the Temporal UI calls to decode payloads (docs.temporal.io/codec-server). */
export interface CodecServerOptions {
  readonly codec: PayloadCodec;
  readonly host?: string;
  readonly port?: number;
  /** Origin allowed by CORS, e.g. the UI's http://127.0.0.1:8233. */
  readonly allowOrigin: string;
  /** When set, requests must carry `Authorization: Bearer <token>`; it decrypts on demand, so guard it. */
  readonly bearerToken?: string;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

/**
 * Serves POST /encode and /decode with the same codec module workers and clients use
 * (after samples-typescript encryption/src/codec-server.ts).
 */
export async function startCodecServer(options: CodecServerOptions): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', options.allowOrigin);
    // The UI sends its own headers (x-namespace, caller-type, authorization...) and includes credentials.
    res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? 'x-namespace, content-type, authorization');
    res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    res.setHeader('access-control-allow-credentials', 'true');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    // The UI adds query options (e.g. /decode?preserveStorageRefs=true); the path picks the operation.
    const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    if (req.method !== 'POST' || (path !== '/encode' && path !== '/decode')) return void res.writeHead(404).end();
    if (options.bearerToken && !authorized(req, options.bearerToken)) return void res.writeHead(401).end();
    readBody(req)
      .then(async (body) => {
        const { payloads } = JSON.parse(body) as { payloads: JsonPayload[] };
        const input = payloads.map(fromJson);
        const output = path === '/encode' ? await options.codec.encode(input) : (await options.codec.decode(input)).map(withReadablePages);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ payloads: output.map(toJson) }));
      })
      .catch(() => res.writeHead(400, { 'content-type': 'text/plain' }).end('cannot decode the request payloads'));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://${host}:${port}` };
}

function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
