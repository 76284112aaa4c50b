import { randomBytes } from 'node:crypto';

/** Which API a token is for: Graph, or the Reporting Web Service (resource `https://outlook.office365.com`). */
export type Audience = 'graph' | 'reporting';

/** The resource whose tokens the Reporting Web Service accepts (docs/sources.md#rws-auth). */
export const REPORTING_RESOURCE = 'https://outlook.office365.com';

/** Why a bearer token was refused; each maps to Microsoft's own wording in errors.ts. */
export type TokenProblem = 'missing' | 'malformed' | 'unknown' | 'expired' | 'audience';

/** The result of checking a request's Authorization header. */
export type TokenCheck = { ok: true; tenant: string } | { ok: false; problem: TokenProblem };

interface IssuedToken {
  audience: Audience;
  tenant: string;
  expiresAtMs: number;
  generation: number;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * The tokens the emulator has issued. Tokens are opaque random strings shaped like a JWT (three base64url
 * parts) and are only ever looked up here, never logged. `expireAll` bumps a generation, so every token
 * issued before it fails on its next use, as a revoked or rolled-over token would.
 */
export class TokenStore {
  private readonly issued = new Map<string, IssuedToken>();
  private generation = 0;

  constructor(private readonly now: () => number) {}

  /** Issues a token for an audience and tenant, valid for `lifetimeSeconds` from now. */
  issue(audience: Audience, tenant: string, lifetimeSeconds: number): { token: string; issuedAtMs: number; expiresAtMs: number } {
    const issuedAtMs = this.now();
    const expiresAtMs = issuedAtMs + lifetimeSeconds * 1000;
    const header = b64url({ typ: 'JWT', alg: 'RS256', kid: 'emulator' });
    // The claims are there to look familiar in a debugger; nothing reads them back.
    const claims = b64url({ aud: audience === 'graph' ? 'https://graph.microsoft.com' : REPORTING_RESOURCE, tid: tenant, iat: Math.floor(issuedAtMs / 1000), exp: Math.floor(expiresAtMs / 1000) });
    const token = `${header}.${claims}.${randomBytes(32).toString('base64url')}`;
    this.sweep(issuedAtMs);
    this.issued.set(token, { audience, tenant, expiresAtMs, generation: this.generation });
    return { token, issuedAtMs, expiresAtMs };
  }

  /** Checks `Authorization: Bearer <token>` for an audience. */
  check(authorization: string | undefined, audience: Audience): TokenCheck {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!authorization) return { ok: false, problem: 'missing' };
    if (!match) return { ok: false, problem: 'malformed' };
    const token = this.issued.get(match[1]!);
    if (!token) return { ok: false, problem: match[1]!.split('.').length === 3 ? 'unknown' : 'malformed' };
    if (token.generation !== this.generation || this.now() >= token.expiresAtMs) return { ok: false, problem: 'expired' };
    if (token.audience !== audience) return { ok: false, problem: 'audience' };
    return { ok: true, tenant: token.tenant };
  }

  /** Invalidates every token issued so far. */
  expireAll(): void {
    this.generation++;
  }

  /** Forgets tokens long past their expiry, so a long-running emulator does not grow without bound. */
  private sweep(nowMs: number): void {
    if (this.issued.size < 10_000) return;
    for (const [token, t] of this.issued) if (t.expiresAtMs < nowMs - 86_400_000 || t.generation !== this.generation) this.issued.delete(token);
  }
}
