import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

/** One request as a local server saw it: enough to tell whether a token or records reached it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly bodyBytes: number;
}

/** A local HTTP server for one test: its URL and every request it saw, in order. */
export interface LocalHttpServer {
  readonly url: string;
  readonly requests: SeenRequest[];
}

/**
 * Starts a plain HTTP server on 127.0.0.1 that records each request (body read in full) and then answers
 * it with `handle`; closed when the test ends (after ky's test/helpers/create-http-test-server.ts).
 */
export async function localHttpServer(t: TestContext, handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<LocalHttpServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes });
      handle(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}
