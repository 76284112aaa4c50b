import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** A request as the emulator's handlers see it: parsed URL, headers and the whole (small) body. */
export interface ApiRequest {
  readonly method: string;
  /** The absolute URL the client asked for, on the origin it used (so links go back the same way). */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A complete answer, built before anything is written, so faults can replace or truncate it. */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Rows in the body, for the stats (0 for anything but a served page). */
  readonly rows?: number;
}

/** A JSON reply; `contentType` defaults to plain application/json. */
export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}

/** An HTML reply (IIS error pages, Outlook's sign-in page). */
export function htmlReply(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'text/html', ...headers }, body };
}

const BODY_LIMIT = 1_000_000;

/** A request body over the limit; answered 413. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/** Reads a request body as UTF-8; refuses bodies over 1 MB (no real token or admin call is that big). */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new BodyTooLargeError('request body over 1 MB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes a reply, unless the client has already gone. */
export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.end(body);
}

/** The absolute URL of a request, on the host the client addressed. */
export function requestUrl(req: IncomingMessage, fallbackOrigin: string): URL {
  const host = req.headers.host;
  // Concatenated rather than resolved, so a path such as `//x` stays a path and not a host.
  return new URL(`${host ? `http://${host}` : fallbackOrigin}${req.url ?? '/'}`);
}
