import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { FrameParser, type ParseResult } from './frame-parser.js';
import { handleHttpStream } from './http-stream.js';
import { EventStore, type ReceivedEvent } from './store.js';

/** Options of the local Devo receiver; each listener exists only when its key is given. */
export interface DevoReceiverOptions {
  /** Listen address of every listener @default '127.0.0.1' */
  readonly host?: string;
  /** Mutual TLS like Devo's collector endpoints: a client certificate signed by `caCert` is required. Port @default 0 (any) */
  readonly tls?: { readonly port?: number; readonly certs: { readonly caCert: string; readonly serverCert: string; readonly serverKey: string } };
  /** Plain TCP, like an on-premise Devo relay. Port @default 0 */
  readonly tcp?: { readonly port?: number };
  /** Devo's HTTP ingestion `/stream/{domain}/token!{token}/{host}/{tag}`. Port @default 0; domain @default 'local'; token @default any */
  readonly http?: { readonly port?: number; readonly token?: string; readonly domain?: string };
  /** When set, every event is also appended as one JSON line to `<outDir>/<tag>.jsonl`. */
  readonly outDir?: string;
  /** Connections idle this long are closed, as Devo's balancer does @default 30 s */
  readonly idleTimeoutMs?: number;
  /**
   * Fault injection: once this many events were received, stop reading the syslog connection that brought
   * the last of them and never confirm it, as a receiver stuck mid-stream. Happens once; later connections
   * are served normally. `onStall` is told the event count at that moment.
   */
  readonly stallAfterEvents?: number;
  readonly onStall?: (events: number) => void;
}

/** Counters of a receiver since it started (connections are never reset by clear()). */
export interface DevoReceiverStats {
  readonly events: number;
  readonly byTag: Record<string, number>;
  /** Syslog connections accepted (TLS: handshake and client certificate passed). */
  readonly connections: number;
  /** TLS connections that closed before the handshake completed, a refused client certificate above all. */
  readonly rejectedHandshakes: number;
  /** Frames that were not syslog records. */
  readonly parseErrors: number;
  /** Connections held unconfirmed by `stallAfterEvents` (0 or 1). */
  readonly held: number;
}

/** A running receiver. Ports are those actually bound; they stay the same across stop/resumeListening. */
export interface DevoReceiver {
  readonly tlsPort?: number;
  readonly tcpPort?: number;
  readonly httpPort?: number;
  /** Every event accepted so far, in arrival order. */
  events(): ReceivedEvent[];
  eventsForTag(tag: string): ReceivedEvent[];
  stats(): DevoReceiverStats;
  /** How many events repeat an earlier one under `key`. */
  duplicates(key: (e: ReceivedEvent) => string): number;
  /** Forgets the events in memory (not the counters, not the files). */
  clear(): void;
  /** Closes the listeners and resets every open connection, as an outage would. */
  stopListening(): Promise<void>;
  /** Listens again on the same ports. */
  resumeListening(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The local stand-in for Devo (docs/sources.md#devo-close). It never writes application data; on the
 * client's half-close it stores what was parsed, then ends its side: the confirmation the collector
 * waits for. Events count only once parsed, so a confirmed batch is already in events().
 */
export async function startDevoReceiver(options: DevoReceiverOptions): Promise<DevoReceiver> {
  const host = options.host ?? '127.0.0.1';
  const idleMs = options.idleTimeoutMs ?? 30_000;
  const store = new EventStore(options.outDir);
  const open = new Set<Socket>(); // raw TCP sockets, so an outage can reset them all
  const counters = { connections: 0, rejectedHandshakes: 0, parseErrors: 0, held: 0 };
  let stallDue = options.stallAfterEvents !== undefined;

  const serve = (transport: 'tls' | 'tcp') => (socket: Socket) => {
    counters.connections++;
    const parser = new FrameParser();
    let held = false;
    const take = (result: ParseResult) => {
      counters.parseErrors += result.errors;
      store.add(result.events, transport);
      if (stallDue && store.size >= options.stallAfterEvents!) {
        held = true;
        stallDue = false;
        counters.held++;
        socket.pause();
        // No idle close either: ending our side is exactly the confirmation this connection must not get.
        socket.setTimeout(0);
        options.onStall?.(store.size);
      }
    };
    socket.setTimeout(idleMs, () => {
      // Like the balancer: an idle connection is closed; a record still unterminated is lost.
      const leftover = parser.end();
      if (leftover.events.length + leftover.errors > 0) counters.parseErrors++;
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    });
    socket.on('data', (chunk: Buffer) => {
      if (!held) take(parser.push(chunk));
    });
    socket.on('end', () => {
      if (held) return;
      take(parser.end());
      if (!held) socket.end(); // our EOF: everything the client wrote has been read and stored
    });
    socket.on('error', () => socket.destroy());
  };

  const track = (tls: boolean) => (raw: Socket) => {
    open.add(raw);
    raw.once('close', () => {
      open.delete(raw);
      if (tls && !secured.delete(key(raw))) counters.rejectedHandshakes++;
    });
  };
  const secured = new Set<string>();
  const key = (s: Socket) => `${s.remoteAddress}|${s.remotePort}`;

  const listeners: { server: NetServer | HttpServer; port: number; kind: 'tls' | 'tcp' | 'http' }[] = [];
  if (options.tls) {
    const { certs } = options.tls;
    const tlsServe = serve('tls');
    const server = createTlsServer(
      { cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2', allowHalfOpen: true, handshakeTimeout: Math.min(idleMs, 120_000) },
      (socket) => {
        secured.add(key(socket));
        tlsServe(socket);
      },
    );
    server.on('connection', track(true));
    server.on('tlsClientError', (_err, socket) => socket.destroy());
    listeners.push({ server, port: options.tls.port ?? 0, kind: 'tls' });
  }
  if (options.tcp) {
    const server = createNetServer({ allowHalfOpen: true }, serve('tcp'));
    server.on('connection', track(false));
    listeners.push({ server, port: options.tcp.port ?? 0, kind: 'tcp' });
  }
  if (options.http) {
    const auth = { token: options.http.token, domain: options.http.domain ?? 'local' };
    const server = createHttpServer((req, res) => handleHttpStream(req, res, auth, (events) => store.add(events, 'http')));
    listeners.push({ server, port: options.http.port ?? 0, kind: 'http' });
  }

  const listen = async () => {
    for (const entry of listeners) {
      if (entry.server.listening) continue;
      await new Promise<void>((resolve, reject) => {
        entry.server.once('error', reject);
        entry.server.listen(entry.port, host, () => {
          entry.server.off('error', reject);
          resolve();
        });
      });
      entry.port = (entry.server.address() as { port: number }).port;
    }
  };
  const unlisten = async () => {
    const closed = listeners.map((e) => new Promise<void>((resolve) => (e.server.listening ? e.server.close(() => resolve()) : resolve())));
    for (const raw of open) raw.resetAndDestroy();
    for (const e of listeners) if ('closeAllConnections' in e.server) e.server.closeAllConnections();
    await Promise.all(closed);
  };
  try {
    await listen();
  } catch (err) {
    await unlisten();
    throw err;
  }
  const portOf = (kind: string) => listeners.find((e) => e.kind === kind)?.port;
  return {
    tlsPort: portOf('tls'),
    tcpPort: portOf('tcp'),
    httpPort: portOf('http'),
    events: () => store.events(),
    eventsForTag: (tag) => store.eventsForTag(tag),
    stats: () => ({ events: store.size, byTag: store.byTag(), ...counters }),
    duplicates: (k) => store.duplicates(k),
    clear: () => store.clear(),
    stopListening: unlisten,
    resumeListening: listen,
    close: unlisten,
  };
}
