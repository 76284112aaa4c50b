import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload } from '@temporalio/common';
import { isEncrypted, type EncryptionCodec } from './codec.js';
import { createAuthorizer, type CodecServerAccess } from './codec-server-auth.js';
import { withReadablePages } from './readable-pages.js';

export { CodecServerAccessError, type CodecServerAccess } from './codec-server-auth.js';

/** Largest request body read, by default: a UI batch of payloads, each under Temporal's 2 MB limit. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Largest size one payload may inflate to on /decode, by default (a packed page of 5,000 records is far less). */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** Options of the codec server the Temporal UI calls to decode payloads (https://docs.temporal.io/codec-server). */
export interface CodecServerOptions extends CodecServerAccess {
  /** The codec workers and clients use; its decode is given `maxInflatedBytes` by the caller. */
  readonly codec: EncryptionCodec;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** @default a free port */
  readonly port?: number;
  /** The one Origin allowed (CORS and the Origin check), e.g. the UI's http://127.0.0.1:8233. */
  readonly allowOrigin: string;
  /**
   * Host names a request's `Host` header may carry (against DNS rebinding).
   * @default localhost, 127.0.0.1, ::1, and `host` unless it is a wildcard address
   */
  readonly allowedHosts?: readonly string[];
  /** @default MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
  /** Most bytes a packed page may inflate to when shown as records. @default MAX_INFLATED_BYTES */
  readonly maxInflatedBytes?: number;
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

/** A request refused before its payloads are looked at, with the status it gets. */
class Refused extends Error {
  constructor(readonly status: number) {
    super(String(status));
  }
}

/**
 * Serves POST /encode and /decode with the same codec module workers and clients use
 * (after samples-typescript encryption/src/codec-server.ts). Fails closed: throws CodecServerAccessError
 * at start when no one would need to authenticate (see CodecServerAccess).
 */
export async function startCodecServer(options: CodecServerOptions): Promise<{ server: Server; url: string }> {
  const host = options.host ?? '127.0.0.1';
  const authorize = await createAuthorizer(options, host);
  const allowedHosts = new Set((options.allowedHosts ?? ['localhost', '127.0.0.1', '::1', ...(isWildcard(host) ? [] : [host])]).map(bareHost));
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const maxInflatedBytes = options.maxInflatedBytes ?? MAX_INFLATED_BYTES;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // A browser page of another origin, or a DNS-rebound name, must not reach the decrypting endpoints.
    if (!allowedHosts.has(hostOf(req))) throw new Refused(403);
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== options.allowOrigin) throw new Refused(403);
    if (origin !== undefined) {
      res.setHeader('access-control-allow-origin', options.allowOrigin);
      res.setHeader('vary', 'origin');
    }
    // The UI sends its own headers (x-namespace, caller-type, authorization...) and may include credentials.
    res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? 'x-namespace, content-type, authorization');
    res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    res.setHeader('access-control-allow-credentials', 'true');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    // The UI adds query options (e.g. /decode?preserveStorageRefs=true); the path picks the operation.
    const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    if (req.method !== 'POST' || (path !== '/encode' && path !== '/decode')) throw new Refused(404);
    if (!(await authorize(req.headers.authorization))) throw new Refused(401);
    const body = await readBody(req, maxBodyBytes);
    let input: Payload[];
    try {
      input = (JSON.parse(body) as { payloads: JsonPayload[] }).payloads.map(fromJson);
    } catch {
      throw new Refused(400);
    }
    const output = path === '/encode' ? await options.codec.encode(input) : await decodeOwn(options.codec, input, maxInflatedBytes);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ payloads: output.map(toJson) }));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof Refused ? err.status : 400;
      // Nothing about the payloads or the key goes back: the status says which rule refused the request.
      res.writeHead(status, { 'content-type': 'text/plain', ...(status === 413 ? { connection: 'close' } : {}) }).end(status === 400 ? 'cannot decode the request payloads' : '');
      // A refused body is not read on: the connection closes once the answer is out.
      if (!req.complete) res.on('finish', () => req.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/**
 * Decrypts only what this codec encrypted: anything else comes back as it was sent, never inflated or
 * unpacked (a caller's own packed page could be a deflate bomb), and pages of ours are unpacked within the limit.
 */
async function decodeOwn(codec: EncryptionCodec, payloads: Payload[], maxInflatedBytes: number): Promise<Payload[]> {
  const own = payloads.filter(isEncrypted);
  const decoded = await codec.decode(own);
  return payloads.map((payload) => (isEncrypted(payload) ? withReadablePages(decoded.shift()!, maxInflatedBytes) : payload));
}

/** The body as text, refusing (413) as soon as it passes `max` bytes, before the rest is read. */
async function readBody(req: IncomingMessage, max: number): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > max) throw new Refused(413);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req) {
    length += (chunk as Buffer).length;
    if (length > max) throw new Refused(413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function hostOf(req: IncomingMessage): string {
  try {
    return bareHost(new URL(`http://${req.headers.host ?? ''}`).hostname);
  } catch {
    return '';
  }
}

const bareHost = (host: string): string => host.replace(/^\[|\]$/g, '').toLowerCase();
const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::' || host === '[::]';
