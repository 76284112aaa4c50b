import type { IncomingHttpHeaders } from 'node:http';
import type { Got, StreamOptions } from 'got';

/** A response read as text: what the Microsoft and Devo clients look at. */
export interface TextResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A response body grew past its limit once decoded (after gzip, deflate or br); the request was aborted
 * there, so no more than the limit (plus one chunk of at most 16 KB) was ever held. The message names
 * the limit only: callers add the method and path.
 */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(
    /** The limit, in decoded bytes. */
    readonly limitBytes: number,
  ) {
    super(`the decoded body is larger than ${limitBytes} bytes; the rest was not read`);
  }
}

/**
 * Sends a request and reads its body as UTF-8 text, at most `maxBytes` of it after decoding.
 *
 * Why a stream and not got's promise with a `downloadProgress` listener: got (14.x,
 * source/core/index.js) counts the bytes it reads from the decompressed stream, but it emits
 * `downloadProgress` only while that count is below the `content-length` header, which names the
 * compressed size. A gzip body declaring 204 KB that inflates to 200 MB stops reporting progress at
 * 204 KB, and the promise then buffers all 200 MB. Counting the decoded chunks here, as they arrive,
 * aborts at the limit whatever the headers say.
 */
export function requestText(client: Got, url: string, options: StreamOptions, maxBytes: number): Promise<TextResponse> {
  return new Promise((resolve, reject) => {
    const stream = client.stream(url, { ...options, throwHttpErrors: false });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let response: { statusCode: number; headers: IncomingHttpHeaders } | undefined;
    stream.once('response', (r: { statusCode: number; headers: IncomingHttpHeaders }) => {
      response = r;
    });
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        // Closes the socket: the rest is neither downloaded nor inflated.
        stream.destroy();
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    stream.once('error', reject);
    stream.once('end', () => {
      if (!response) reject(new Error('the response ended before its headers'));
      else resolve({ statusCode: response.statusCode, headers: response.headers, body: Buffer.concat(chunks, bytes).toString('utf8') });
    });
  });
}
