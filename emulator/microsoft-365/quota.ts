/** A request budget: at most `requests` in any rolling `windowMs`. */
export interface QuotaOptions {
  readonly requests: number;
  readonly windowMs: number;
}

/** Microsoft's documented Graph message trace limit: 100 requests per 5 minutes per tenant (docs/sources.md#graph-throttling). */
export const DEFAULT_QUOTA: QuotaOptions = { requests: 100, windowMs: 300_000 };

/** The verdict on one request: admitted, or refused with the seconds until a slot frees up. */
export type QuotaVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * A rolling-window quota per tenant. Graph and Reporting Web Service calls share it: the blog says "all
 * calls to message trace or message trace detail share the same quota" (docs/sources.md#graph-throttling); whether it
 * covers the RWS is open (§6 item 5), and sharing is the stricter choice [I]. Token calls are not counted.
 * A refused request does not use a slot, so a client that waits for Retry-After gets in [I].
 */
export class RollingQuota {
  private readonly admitted = new Map<string, number[]>();

  constructor(private readonly options: QuotaOptions | null) {}

  /** Admits a request for `tenant` at `nowMs` and records it, or says how long to wait. */
  take(tenant: string, nowMs: number): QuotaVerdict {
    if (!this.options) return { ok: true };
    const { requests, windowMs } = this.options;
    const times = this.admitted.get(tenant) ?? [];
    let expired = 0;
    while (expired < times.length && times[expired]! <= nowMs - windowMs) expired++;
    if (expired > 0) times.splice(0, expired);
    if (times.length >= requests) {
      // The oldest admitted request leaves the window at times[0] + windowMs; Retry-After is whole seconds.
      const waitMs = times[times.length - requests]! + windowMs - nowMs;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    times.push(nowMs);
    this.admitted.set(tenant, times);
    return { ok: true };
  }

  /** Forgets every admitted request, e.g. between test cases. */
  reset(): void {
    this.admitted.clear();
  }
}
