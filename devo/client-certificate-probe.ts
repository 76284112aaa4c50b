import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { tlsRejectionReason } from './errors.js';
import type { SyslogTarget } from './syslog-target.js';
import type { TlsMemory } from './tls-memory.js';

/** How long a probe connection must stay open after its handshake to show our certificate was accepted. */
const PROBE_GRACE_MS = 1_500;
/** The pause before a refusal is checked with one more probe. */
const REPROBE_DELAY_MS = 250;

/** A probe's finding: accepted, refused (with how it showed), or neither when the endpoint was unreachable. */
export interface ProbeVerdict {
  readonly accepted: boolean;
  /** How the refusal showed, for the error message; undefined when nothing could be concluded. */
  readonly refused?: string;
}

/**
 * Asks whether the endpoint accepts our client certificate, after an EOF or reset that could mean either:
 * during a TLS 1.2 handshake (servers that refuse without an alert), or after a TLS 1.3 one (TLS 1.3
 * judges the client certificate after the client's handshake is done). Opens a second connection and
 * writes nothing: an endpoint that refuses the certificate alerts, resets or closes within a round trip
 * of the handshake (rsyslog resets, Node closes silently); one that accepts sends a session ticket or
 * leaves the connection open. An unreachable endpoint concludes nothing. Nothing is written, so a refusal
 * cannot be masked by a reset caused by our own data. A refusal counts only when a second probe, a moment
 * later, is refused too. Acceptance is remembered for ACCEPTANCE_TTL_MS, so a ticketless endpoint costs
 * one probe per ten minutes, not one per batch.
 */
export async function probeClientCertificate(target: SyslogTarget, connect: () => Socket, options: ProbeOptions): Promise<ProbeVerdict> {
  if (target.transport !== 'tls') return { accepted: true };
  let verdict = await probeOnce(connect, options);
  if (verdict.refused) {
    // An endpoint going down (killed in the middle of our handshake) resets the probe too, for a moment.
    // One that refuses the certificate refuses it again; a dead one no longer answers, which concludes nothing.
    await sleep(REPROBE_DELAY_MS, undefined, { signal: options.signal }).catch(() => undefined);
    const again = await probeOnce(connect, options);
    if (!again.refused) verdict = again;
  }
  if (verdict.accepted) options.memory.remember(target);
  return verdict;
}

interface ProbeOptions {
  /** Where an acceptance is remembered, for ACCEPTANCE_TTL_MS. */
  readonly memory: TlsMemory;
  readonly signal?: AbortSignal;
  readonly connectTimeoutMs?: number;
}

async function probeOnce(connect: () => Socket, options: ProbeOptions): Promise<ProbeVerdict> {
  if (options.signal?.aborted) return { accepted: false };
  const socket = connect();
  const verdict = await new Promise<ProbeVerdict>((resolve) => {
    let tcpConnected = false;
    let handshakeDone = false;
    // Dropped after TCP connected: during the handshake (TLS 1.2 servers that do not alert) or just after.
    const dropped = (how: string): ProbeVerdict => (tcpConnected ? { accepted: false, refused: how } : { accepted: false });
    const timers: NodeJS.Timeout[] = [];
    const settle = (v: ProbeVerdict) => {
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const onAbort = () => settle({ accepted: false });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(setTimeout(() => settle({ accepted: false }), (options.connectTimeoutMs ?? 10_000) + PROBE_GRACE_MS));
    socket.once('secureConnect', () => {
      handshakeDone = true;
      timers.push(setTimeout(() => settle({ accepted: true }), PROBE_GRACE_MS));
    });
    socket.once('connect', () => (tcpConnected = true));
    socket.on('session', () => settle({ accepted: true }));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = String(err.code ?? '');
      if (tlsRejectionReason(code, handshakeDone) === 'client-certificate') settle({ accepted: false, refused: `the endpoint sent ${code}` });
      else settle(/^(ECONNRESET|EPIPE)$/.test(code) ? dropped(`the endpoint reset the connection (${code})`) : { accepted: false });
    });
    socket.once('close', () => settle(dropped('the endpoint closed the connection')));
    socket.resume();
  }).finally(() => socket.destroy());
  return verdict;
}
