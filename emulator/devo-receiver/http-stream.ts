import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { ParsedEvent } from './record.js';

/** Devo's documented request limit for HTTP ingestion (docs/sources.md#devo-http). */
export const MAX_HTTP_BODY = 32 * 1024 * 1024;
const MAX_INFLATED = 256 * 1024 * 1024;
const ROUTE = /^\/stream\/([^/]+)\/token!([^/]*)\/([^/]+)\/([^/?]+)(?:\?.*)?$/;

/** What the HTTP endpoint accepts: the domain always; the token only when one is set. */
export interface HttpStreamAuth {
  readonly domain: string;
  /** When undefined any token is accepted. */
  readonly token?: string;
}

/**
 * Devo's HTTP ingestion in stream mode (docs/sources.md#devo-http): `POST /stream/{domain}/token!{token}/
 * {host}/{tag}`, newline-separated events, optionally `Content-Encoding: gzip`, at most 32 MB. Answers
 * 200 once the events are stored; 401 for a wrong token and 403 for a token of another domain (Devo's
 * error codes are undocumented, [U]); 413 over 32 MB; 400 for a body that does not inflate; 404/405
 * otherwise. The header timestamp of each event is the arrival time, as Devo's eventdate would be.
 */
export function handleHttpStream(req: IncomingMessage, res: ServerResponse, auth: HttpStreamAuth, accept: (events: ParsedEvent[]) => void): void {
  const match = ROUTE.exec(req.url ?? '');
  if (!match) return reply(req, res, 404);
  if (req.method !== 'POST') return reply(req, res, 405);
  const [domain, token, hostname, tag] = match.slice(1).map((part) => safeDecode(part ?? ''));
  if (auth.token !== undefined && token !== auth.token) return reply(req, res, 401);
  if (domain !== auth.domain) return reply(req, res, 403);
  if (Number(req.headers['content-length'] ?? 0) > MAX_HTTP_BODY) return reply(req, res, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_HTTP_BODY && !tooLarge) {
      tooLarge = true;
      chunks.length = 0;
      reply(req, res, 413);
    }
    if (!tooLarge) chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooLarge) return;
    let body = Buffer.concat(chunks, size);
    if (/\bgzip\b/i.test(String(req.headers['content-encoding'] ?? ''))) {
      try {
        body = gunzipSync(body, { maxOutputLength: MAX_INFLATED });
      } catch {
        return reply(req, res, 400);
      }
    }
    const timestamp = new Date().toISOString();
    const events = body
      .toString('utf8')
      .split('\n')
      .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
      .filter((line) => line !== '')
      .map((message): ParsedEvent => ({ priority: 14, timestamp, hostname: hostname!, tag: tag!, message }));
    accept(events);
    reply(req, res, 200);
  });
}

function reply(req: IncomingMessage, res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  // An early refusal leaves a body unread: close the connection rather than read it to the end.
  if (!req.complete) res.setHeader('connection', 'close');
  res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? '' : `${status}\n`);
  if (!req.complete) req.resume();
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
