import { createHash } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { SyslogTarget } from './syslog-target.js';

type TlsTarget = SyslogTarget & { transport: 'tls' };

/** How long a proven acceptance of a client certificate by an endpoint is trusted. */
export const ACCEPTANCE_TTL_MS = 10 * 60_000;

/**
 * What a syslog sender learns about its endpoints, per endpoint and certificate: the TLS context (loading
 * the PEMs and the CA store costs more CPU than a resumed handshake), the last session to resume (a
 * connection per batch is the price of confirmation; resuming keeps it low), and whether the endpoint was
 * shown to accept our certificate (a session ticket, or a probe that stayed open). Each transport owns one.
 */
export class TlsMemory {
  private readonly contexts = new Map<string, SecureContext>();
  private readonly sessions = new Map<string, Buffer>();
  private readonly accepted = new Map<string, number>();

  contextOf(target: TlsTarget): SecureContext {
    const key = sessionKey(target);
    let context = this.contexts.get(key);
    if (!context) {
      context = createSecureContext({ cert: target.cert, key: target.key, ca: target.ca, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
      this.contexts.set(key, context);
    }
    return context;
  }

  sessionOf(target: TlsTarget): Buffer | undefined {
    return this.sessions.get(sessionKey(target));
  }

  keepSession(target: TlsTarget, session: Buffer): void {
    this.sessions.set(sessionKey(target), session);
  }

  /** Never resume after a failure. */
  forgetSession(target: TlsTarget): void {
    this.sessions.delete(sessionKey(target));
  }

  /** Whether the endpoint was shown to accept this certificate within the last ACCEPTANCE_TTL_MS. */
  isAccepted(target: SyslogTarget): boolean {
    return target.transport === 'tls' && (this.accepted.get(acceptanceKey(target)) ?? 0) > Date.now();
  }

  /** Notes that the endpoint accepted this certificate (a session ticket arrived, or a probe stayed open). */
  remember(target: SyslogTarget): void {
    if (target.transport === 'tls') this.accepted.set(acceptanceKey(target), Date.now() + ACCEPTANCE_TTL_MS);
  }
}

function sessionKey(target: TlsTarget): string {
  return createHash('sha256').update(`${target.host}\0${target.port}\0${target.servername ?? ''}\0`).update(target.cert).update(target.key).update(target.ca).digest('hex');
}

function acceptanceKey(target: TlsTarget): string {
  return createHash('sha256').update(`${target.host}\0${target.port}\0${target.servername ?? ''}\0`).update(target.cert).update(target.ca).digest('hex');
}
