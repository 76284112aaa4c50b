/** Which requests a fault applies to; `any` means every token, Graph and Reporting Web Service request. */
export type FaultTarget = 'graph' | 'reporting' | 'token' | 'any';

/** The endpoints faults can hit (admin endpoints never are). */
export type FaultEndpoint = Exclude<FaultTarget, 'any'>;

/**
 * What goes wrong (docs/sources.md, and faults a test scripts):
 * - `throttle`: 429 with the endpoint's throttling body, and `Retry-After` when `retryAfterSeconds` is set;
 * - `server-error`: 500; `unavailable`: 503 (with `Retry-After` when set);
 * - `html-sign-in`: 200 `text/html` "Sign in to Outlook" page (§1.9);
 * - `slow`: the normal answer after `delayMs` (default 1000); `hang`: no answer until the client gives up;
 * - `malformed-json`: 200 `application/json` with the normal body cut in half;
 * - `expire-tokens`: every token issued so far expires, then the request is handled (so it gets a 401);
 * - `double-encoded-skiptoken`: Graph only; the next next link carries double-JSON-encoded values and
 *   following it gives 400 (elastic#18134, §2.3); it is used up only by a response that has a next link;
 * - `forbidden`: the endpoint's 403; `unauthorized`: the endpoint's 401 (Graph JSON, RWS IIS HTML).
 */
export type FaultKind =
  | 'throttle' | 'server-error' | 'unavailable' | 'html-sign-in' | 'slow' | 'hang' | 'malformed-json'
  | 'expire-tokens' | 'double-encoded-skiptoken' | 'forbidden' | 'unauthorized';

/** One scripted fault. Faults for the same requests apply one after another, in the order added. */
export interface Fault {
  readonly target: FaultTarget;
  readonly kind: FaultKind;
  /** How many matching requests it hits. @default 1 */
  readonly count?: number;
  /** Instead of a count: hits every matching request for this long, from the first one it hits. */
  readonly forMs?: number;
  /** `Retry-After` seconds on throttle and unavailable answers; omitted = no header. */
  readonly retryAfterSeconds?: number;
  /** The delay of a `slow` answer. @default 1000 */
  readonly delayMs?: number;
  /** Let this many matching requests through before the fault starts. @default 0 */
  readonly skipRequests?: number;
}

/** A fault chosen for one request; `consume` records that it was applied. */
export interface FaultClaim {
  readonly fault: Fault;
  consume(): void;
}

const KINDS: readonly FaultKind[] = ['throttle', 'server-error', 'unavailable', 'html-sign-in', 'slow', 'hang', 'malformed-json', 'expire-tokens', 'double-encoded-skiptoken', 'forbidden', 'unauthorized'];
const TARGETS: readonly FaultTarget[] = ['graph', 'reporting', 'token', 'any'];

interface Entry {
  readonly fault: Fault;
  skipLeft: number;
  hitsLeft: number;
  activeUntilMs?: number;
}

/** The script of faults to inject; `add`, `clear`, `pending` and `served` are the test-facing API. */
export class FaultScript {
  private entries: Entry[] = [];
  private hits: Partial<Record<FaultKind, number>> = {};

  constructor(private readonly now: () => number) {}

  /** Queues one fault or several; throws a RangeError naming what is wrong with a bad one. */
  add(fault: Fault | readonly Fault[]): void {
    const faults = Array.isArray(fault) ? (fault as readonly Fault[]) : [fault as Fault];
    faults.forEach(validateFault);
    for (const f of faults) this.entries.push({ fault: { ...f }, skipLeft: f.skipRequests ?? 0, hitsLeft: f.count ?? 1 });
  }

  /** Drops every queued fault (the served counts stay). */
  clear(): void {
    this.entries = [];
  }

  /**
   * How many requests each kind of fault has hit so far. A `slow` or `hang` request counts as soon as it
   * arrives, so a count going up also says such a request is being held right now.
   */
  served(): Partial<Record<FaultKind, number>> {
    return { ...this.hits };
  }

  /** The faults not used up yet, in order. */
  pending(): Fault[] {
    const now = this.now();
    return this.entries.filter((e) => e.activeUntilMs === undefined || now < e.activeUntilMs).map((e) => ({ ...e.fault }));
  }

  /**
   * The fault for a request to `endpoint`, if one is due: the first queued fault for that endpoint. While
   * it is still skipping requests, the request passes and its skip count goes down.
   */
  match(endpoint: FaultEndpoint): FaultClaim | undefined {
    const now = this.now();
    this.entries = this.entries.filter((e) => e.activeUntilMs === undefined || now < e.activeUntilMs);
    const entry = this.entries.find((e) => appliesTo(e.fault, endpoint));
    if (!entry) return undefined;
    if (entry.skipLeft > 0) {
      entry.skipLeft--;
      return undefined;
    }
    return {
      fault: entry.fault,
      consume: () => {
        this.hits[entry.fault.kind] = (this.hits[entry.fault.kind] ?? 0) + 1;
        if (entry.fault.forMs !== undefined) {
          entry.activeUntilMs ??= this.now() + entry.fault.forMs;
          return;
        }
        if (--entry.hitsLeft <= 0) this.entries = this.entries.filter((e) => e !== entry);
      },
    };
  }
}

function appliesTo(fault: Fault, endpoint: FaultEndpoint): boolean {
  if (fault.target !== 'any' && fault.target !== endpoint) return false;
  return fault.kind !== 'double-encoded-skiptoken' || endpoint === 'graph';
}

function validateFault(f: Fault): void {
  const problems: string[] = [];
  if (typeof f !== 'object' || f === null) throw new RangeError('a fault must be an object');
  if (!TARGETS.includes(f.target)) problems.push(`target must be one of ${TARGETS.join(', ')}`);
  if (!KINDS.includes(f.kind)) problems.push(`kind must be one of ${KINDS.join(', ')}`);
  const positive = (name: keyof Fault, whole: boolean): void => {
    const v = f[name];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && (!whole || Number.isInteger(v)))) problems.push(`${name} must be a ${whole ? 'whole ' : ''}number ≥ 0`);
  };
  positive('skipRequests', true);
  positive('retryAfterSeconds', true);
  positive('delayMs', false);
  positive('forMs', false);
  if (f.count !== undefined && !(Number.isInteger(f.count) && f.count >= 1)) problems.push('count must be a whole number ≥ 1');
  if (f.count !== undefined && f.forMs !== undefined) problems.push('give count or forMs, not both');
  if (problems.length > 0) throw new RangeError(`invalid fault ${JSON.stringify(f)}: ${problems.join('; ')}`);
}
