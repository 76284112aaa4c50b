import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { got } from 'got';
import type { DevoConfig } from '../config/types.js';
import { BodyTooLargeError, requestText } from '../http/bounded-body.js';
import { DevoConnectionError, DevoHttpRedirected, DevoHttpRejected } from './errors.js';
import { frameEvent, LINE_FEED } from './framing.js';
import { sendSyslogBatch, type SyslogTarget } from './syslog-sender.js';
import { TlsMemory } from './tls-memory.js';

/** One event for Devo: the tag picks the table; the message is the record's JSON, unchanged (text, or its UTF-8 bytes). */
export interface DevoEvent {
  readonly tag: string;
  readonly hostname: string;
  readonly timestamp: number;
  readonly message: string | Uint8Array;
}

/** Sends one batch and resolves only once Devo's side confirmed it. */
export interface DevoTransport {
  sendBatch(events: DevoEvent[], signal?: AbortSignal): Promise<{ bytes: number }>;
  /** Where it sends, for logs (no secrets). */
  readonly description: string;
}

/**
 * Syslog over mutual TLS (direct to Devo) or plain TCP (an on-premise relay). Confirmation is the
 * graceful close: half-close after the batch, then the receiver's EOF (docs/sources.md#devo-close).
 */
export function syslogTransport(target: SyslogTarget): DevoTransport {
  const memory = new TlsMemory();
  return {
    description: `${target.transport}://${target.host}:${target.port}`,
    async sendBatch(events, signal) {
      const frames = events.map((e) => frameEvent(e));
      return sendSyslogBatch(frames, target, { signal, memory });
    },
  };
}

/**
 * Largest answer read from Devo's HTTP endpoint, after decoding. Devo answers a POST with a status and at
 * most a short text; anything larger is not Devo's answer, and is not buffered.
 */
export const MAX_DEVO_ANSWER_BYTES = 64 * 1024;

/**
 * HTTP ingestion: `POST {url}/stream/{domain}/token!{token}/{host}/{tag}`, newline-separated, gzip.
 * A 2xx is the confirmation (Devo answers a stream POST with 200 OK); 4xx other than 429 will not heal by
 * retrying. Redirects are not followed: following
 * one would POST the records (and the token in the path) to wherever the `location` header points, and
 * take that host's 2xx as Devo's confirmation.
 */
export function httpTransport(options: { url: string; domain: string; token: string }): DevoTransport {
  return {
    description: `${options.url}/stream/${options.domain}/token!***`,
    async sendBatch(events, signal) {
      if (events.length === 0) return { bytes: 0 };
      const { tag, hostname } = events[0]!;
      const body = gzipSync(Buffer.concat(events.flatMap((e) => [typeof e.message === 'string' ? Buffer.from(e.message) : e.message, LINE_FEED])));
      const url = `${options.url}/stream/${encodeURIComponent(options.domain)}/token!${options.token}/${encodeURIComponent(hostname)}/${tag}`;
      const where = `POST ${options.url}/stream/${options.domain}`;
      const response = await requestText(got, url, { method: 'POST', body, headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain' }, retry: { limit: 0 }, followRedirect: false, signal, timeout: { request: 60_000 } }, MAX_DEVO_ANSWER_BYTES).catch(
        (err: unknown) => {
          // The batch's fate is unknown either way, so both are a connection failure: the batch goes again.
          const reason = err instanceof BodyTooLargeError ? `an answer that is not Devo's (${err.message})` : (err as Error).message;
          throw new DevoConnectionError(`${where}: ${reason}`, { cause: err });
        },
      );
      if (response.statusCode >= 200 && response.statusCode < 300) return { bytes: body.length };
      const what = `${where}: ${response.statusCode}`;
      if (response.statusCode >= 300 && response.statusCode < 400) throw new DevoHttpRedirected(`${what}: a redirect, not followed (it would send the records and the token elsewhere): set DEVO_HTTP_URL to the endpoint itself`, response.statusCode);
      if (response.statusCode === 429 || response.statusCode >= 500) throw new DevoConnectionError(what);
      throw new DevoHttpRejected(`${what}: check DEVO_HTTP_TOKEN, DEVO_DOMAIN and that the token may write to the tag`, response.statusCode);
    },
  };
}

/** The transport the configuration asks for, with the PEM files read once. */
export function createDevoTransport(config: DevoConfig): DevoTransport {
  if (config.transport === 'http') {
    return httpTransport({ url: config.httpUrl!, domain: config.domain!, token: config.httpToken! });
  }
  if (config.transport === 'relay') return syslogTransport({ transport: 'tcp', host: config.address, port: config.port });
  return syslogTransport({
    transport: 'tls',
    host: config.address,
    port: config.port,
    cert: readFileSync(config.certPath!),
    key: readFileSync(config.keyPath!),
    ca: readFileSync(config.chainPath!),
  });
}
