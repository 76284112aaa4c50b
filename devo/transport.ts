import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { got } from 'got';
import type { DevoConfig } from '../config/schema.js';
import { DevoConnectionError, DevoHttpRejected } from './errors.js';
import { frameEvent, LINE_FEED } from './framing.js';
import { sendSyslogBatch, type SyslogTarget } from './syslog-sender.js';

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
 * graceful close: half-close after the batch, then the receiver's EOF (reference devo-ingestion §1.5).
 */
export function syslogTransport(target: SyslogTarget): DevoTransport {
  return {
    description: `${target.transport}://${target.host}:${target.port}`,
    async sendBatch(events, signal) {
      const frames = events.map((e) => frameEvent(e));
      return sendSyslogBatch(frames, target, { signal });
    },
  };
}

/**
 * HTTP ingestion: `POST {url}/stream/{domain}/token!{token}/{host}/{tag}`, newline-separated, gzip.
 * A 2xx is the confirmation; 4xx other than 429 will not heal by retrying (reference devo-ingestion §3).
 */
export function httpTransport(options: { url: string; domain: string; token: string }): DevoTransport {
  return {
    description: `${options.url}/stream/${options.domain}/token!***`,
    async sendBatch(events, signal) {
      if (events.length === 0) return { bytes: 0 };
      const { tag, hostname } = events[0]!;
      const body = gzipSync(Buffer.concat(events.flatMap((e) => [typeof e.message === 'string' ? Buffer.from(e.message) : e.message, LINE_FEED])));
      const url = `${options.url}/stream/${encodeURIComponent(options.domain)}/token!${options.token}/${encodeURIComponent(hostname)}/${tag}`;
      const response = await got
        .post(url, { body, headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain' }, retry: { limit: 0 }, throwHttpErrors: false, signal, timeout: { request: 60_000 } })
        .catch((err: unknown) => {
          throw new DevoConnectionError(`POST ${options.url}/stream/${options.domain}: ${(err as Error).message}`, { cause: err });
        });
      if (response.statusCode >= 200 && response.statusCode < 300) return { bytes: body.length };
      const what = `POST ${options.url}/stream/${options.domain}: ${response.statusCode}`;
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
