import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import { probeClientCertificate } from './client-certificate-probe.js';
import { DevoConfirmationTimeout, DevoConnectionError, DevoTlsRejected, tlsRejectionReason } from './errors.js';
import { TlsMemory } from './tls-memory.js';
import type { SyslogTarget } from './syslog-target.js';

export type { SyslogTarget };

/** Cancellation and timeouts of one batch. */
export interface SendOptions {
  /** Aborting destroys the connection; the send rejects with an AbortError and the batch is unknown. */
  readonly signal?: AbortSignal;
  /** Until the TCP connection and TLS handshake are done @default 10 s */
  readonly connectTimeoutMs?: number;
  /** For the receiver's EOF after the half-close, and for any write stall before it @default 30 s */
  readonly confirmTimeoutMs?: number;
  /** What the sender learns about the endpoint (sessions, contexts, accepted certificates) @default one shared by callers that bring none */
  readonly memory?: TlsMemory;
}

/** What a confirmed batch cost. */
export interface SendResult {
  readonly bytes: number;
  readonly durationMs: number;
}

type Phase = 'connecting' | 'sending' | 'confirming';
type Outcome = { ok: true } | { ok: false; error: Error };
interface ExchangeState {
  phase: Phase;
  tcpConnected: boolean;
  handshakeDone: boolean;
  /** A TLS 1.3 session ticket arrived: the server accepted our certificate. */
  ticket: boolean;
  /** The session to resume next time, once this batch is confirmed. */
  session?: Buffer;
  tls13: boolean;
  bytes: number;
}
/** Failures that look the same whether the network broke or the server refused our certificate. */
const AMBIGUOUS = /^(ECONNRESET|EPIPE|EARLY_EOF|ECLOSED)$/;

const SHARED_MEMORY = new TlsMemory();

const WRITE_CHUNK = 64 * 1024; // many small frames per TLS record: far fewer records and syscalls

/**
 * Sends one batch on a fresh connection and resolves only once it is confirmed: write everything
 * (respecting backpressure), half-close, then wait for the receiver's EOF. Devo never answers on syslog;
 * the graceful close is the only confirmation there is (docs/sources.md#devo-close), and an abrupt
 * close could make the receiver's kernel drop lines it had accepted. A connection per batch also keeps
 * clear of Devo's 30-second idle timeout. Any failure rejects, and the batch is then "unknown, resend".
 *
 * TLS 1.3 caveat: the server checks our certificate only after the client considers the handshake done,
 * so a refused certificate shows up after our writes as an alert, a reset, or (Node servers) a bare EOF
 * that looks like a confirmation. An EOF or reset therefore counts only once the endpoint has shown it
 * accepted this certificate: a session ticket on this connection, or a probe connection that stays open.
 */
export async function sendSyslogBatch(frames: Buffer[], target: SyslogTarget, options: SendOptions = {}): Promise<SendResult> {
  const started = performance.now();
  const where = `${target.transport}://${target.host}:${target.port}`;
  if (options.signal?.aborted) throw abortError(options.signal, where);
  if (frames.length === 0) return { bytes: 0, durationMs: 0 };
  const memory = options.memory ?? SHARED_MEMORY;
  let socket: Socket;
  try {
    socket = open(target, memory);
  } catch (err) {
    throw classify(err as Error, where, false); // an unusable PEM fails synchronously
  }
  const state: ExchangeState = { phase: 'connecting', tcpConnected: false, handshakeDone: false, ticket: false, tls13: false, bytes: 0 };
  const outcome = await exchange(socket, frames, state, options, where).finally(() => socket.destroy());
  const done = () => ({ bytes: state.bytes, durationMs: Math.round(performance.now() - started) });
  const proven = target.transport === 'tcp' || !state.tls13 || state.ticket || memory.isAccepted(target);
  if (outcome.ok && proven) {
    if (state.ticket) memory.remember(target);
    if (target.transport === 'tls' && state.session) memory.keepSession(target, state.session);
    return done();
  }
  if (target.transport === 'tls') memory.forgetSession(target); // never resume after a failure
  const error = outcome.ok ? undefined : outcome.error;
  // A bare EOF, reset or close may be a refused certificate: during a TLS 1.2 handshake (servers that do
  // not alert), or after an unproven TLS 1.3 one. A second, silent connection tells which.
  const ambiguous = error === undefined || AMBIGUOUS.test(errorCode(error));
  const inHandshake = state.tcpConnected && !state.handshakeDone;
  if (target.transport === 'tls' && ambiguous && (inHandshake || (state.handshakeDone && !proven))) {
    const verdict = await probeClientCertificate(target, () => open(target, memory), { ...options, memory });
    if (options.signal?.aborted) throw abortError(options.signal, where);
    if (verdict.accepted && outcome.ok) return done();
    if (verdict.refused) {
      const when = inHandshake ? 'during the TLS handshake, twice' : 'right after the TLS 1.3 handshake';
      throw new DevoTlsRejected(where, 'client-certificate', `${verdict.refused} ${when}, the way a refused client certificate looks`, { cause: error });
    }
  }
  if (error === undefined) throw new DevoConnectionError(`${where}: the batch could not be confirmed (the certificate check could not be completed)`);
  throw error instanceof DevoConfirmationTimeout || error.name === 'AbortError' ? error : classify(error, where, state.handshakeDone, state.phase);
}

/** Runs the write, half-close and EOF wait on `socket`; never rejects, reports the first failure instead. */
function exchange(socket: Socket, frames: Buffer[], state: ExchangeState, options: SendOptions, where: string): Promise<Outcome> {
  const confirmMs = options.confirmTimeoutMs ?? 30_000;
  return new Promise<Outcome>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, make: () => Error) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish({ ok: false, error: make() }), ms);
    };
    const onAbort = () => finish({ ok: false, error: abortError(options.signal!, where) });
    const finish = (outcome: Outcome) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(outcome); // later calls are no-ops
      socket.destroy();
    };
    const fail = (code: string, message: string) => finish({ ok: false, error: Object.assign(new Error(message), { code }) });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    arm(options.connectTimeoutMs ?? 10_000, () => Object.assign(new Error(`no connection within ${options.connectTimeoutMs ?? 10_000} ms`), { code: 'ETIMEDOUT' }));

    const writer = chunks(frames);
    const pump = () => {
      for (let next = writer.next(); !next.done; next = writer.next()) {
        state.bytes += next.value.length;
        if (!socket.write(next.value)) {
          arm(confirmMs, () => new DevoConfirmationTimeout(`${where}: the receiver stopped reading for ${confirmMs} ms while the batch was written; its delivery is unknown`));
          socket.once('drain', pump);
          return;
        }
      }
      socket.end(); // half-close: "that was everything"; the receiver's EOF answers it
      state.phase = 'confirming';
      arm(confirmMs, () => new DevoConfirmationTimeout(`${where}: no EOF within ${confirmMs} ms after the batch was half-closed; its delivery is unknown`));
    };
    socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => {
      state.handshakeDone = true;
      state.tls13 = (socket as TLSSocket).getProtocol?.() === 'TLSv1.3';
      state.phase = 'sending';
      pump();
    });
    socket.once('connect', () => (state.tcpConnected = true));
    socket.on('session', (session: Buffer) => {
      state.ticket = true;
      state.session = session;
    });
    socket.once('end', () => (state.phase === 'confirming' ? finish({ ok: true }) : fail('EARLY_EOF', `the receiver closed the connection while ${state.phase}`)));
    socket.on('error', (error) => finish({ ok: false, error })); // `on`: a late second error must not go unhandled
    socket.once('close', () => fail('ECLOSED', `the connection closed while ${state.phase}`));
    socket.resume(); // Devo writes nothing, but reading is how its EOF (or a TLS alert) arrives
  });
}

/** A connection to the target: TLS 1.2-1.3 with our certificate, SNI and strict verification; or TCP. */
function open(target: SyslogTarget, memory: TlsMemory): Socket {
  if (target.transport === 'tcp') return netConnect({ host: target.host, port: target.port });
  return tlsConnect({
    host: target.host,
    port: target.port,
    secureContext: memory.contextOf(target),
    // SNI must be a name; for an IP, Node still checks the address against the certificate's IP SANs.
    servername: target.servername ?? (isIP(target.host) ? undefined : target.host),
    rejectUnauthorized: target.rejectUnauthorized ?? true,
    session: memory.sessionOf(target),
  });
}

function* chunks(frames: Buffer[]): Generator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for (const frame of frames) {
    pending.push(frame);
    size += frame.length;
    if (size >= WRITE_CHUNK) {
      yield pending.length === 1 ? frame : Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(pending, size);
}

function errorCode(err: unknown): string {
  return String((err as NodeJS.ErrnoException | undefined)?.code ?? '');
}

function classify(err: Error, where: string, handshakeDone: boolean, phase: Phase = 'connecting'): Error {
  const code = errorCode(err);
  const reason = tlsRejectionReason(code, handshakeDone);
  if (reason) return new DevoTlsRejected(where, reason, code, { cause: err });
  const hint = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? ' (check DEVO_ADDRESS)' : '';
  return new DevoConnectionError(`${where}: ${code || err.message} while ${phase}${hint}; the batch is unconfirmed`, { cause: err });
}

function abortError(signal: AbortSignal, where: string): Error {
  const reason: unknown = signal.reason;
  const detail = reason instanceof Error ? reason.message : String(reason ?? 'aborted');
  // Node's own AbortError shape (name, code, cause), as events.once and fs reject with.
  return Object.assign(new Error(`${where}: send aborted: ${detail}`, { cause: reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}
