import { cancellationSignal } from '@temporalio/activity';
import type { MicrosoftConfig } from '../config/schema.js';
import { DEFAULT_MAX_EVENT_BYTES } from '../devo/framing.js';
import type { DevoTransport } from '../devo/transport.js';
import type { TimeWindow } from '../time-windows/index.js';
import type { PulledChunks } from './pulled-chunks.js';

/**
 * What activities need from the outside world. The worker passes real ones; tests pass the emulator's
 * endpoints and a real receiver (after samples-typescript activities-dependency-injection).
 */
export interface ActivityDeps {
  /** The Microsoft settings, secret included, of a tenant this worker serves; throws for any other. */
  readonly microsoftFor: (tenantId: string) => MicrosoftConfig;
  /** Where records go, with the tag and hostname for the syslog header. */
  readonly devo: DevoTransport;
  readonly devoTag: string;
  /** A tenant's own Devo route (tag suffix, or a separate Devo domain); absent: every tenant uses `devo` and `devoTag`. */
  readonly devoFor?: (tenantId: string) => DevoRoute;
  readonly devoHostname: string;
  readonly devoBatchSize: number;
  /** Largest framed event sent; larger records are reported, never cut. */
  readonly maxEventBytes: number;
  /**
   * Where rows that cannot be sent go, to be handled by hand: records too large for one Devo event
   * (`oversize`), and rows of a page that are not message trace records (`unparseable`, as given).
   */
  readonly deadLetter: (rows: readonly unknown[], context: DeadLetterContext) => Promise<void>;
  readonly now: () => number;
  /** The running activity's cancellation signal, passed to sockets so cancelling closes them. */
  readonly signal: () => AbortSignal;
  /** The longest Retry-After honoured as a retry delay; tests shorten it. @default 5 minutes (MAX_RETRY_AFTER_MS) */
  readonly maxRetryAfterMs?: number;
  /** Chunks pulled by this worker and not yet sent; absent, every send reads its chunk from history. */
  readonly pulledChunks?: PulledChunks;
}

/** Where one tenant's records go. */
export interface DevoRoute {
  readonly transport: DevoTransport;
  readonly tag: string;
}

/** Why and from where rows went to the dead-letter file, written beside each of them. */
export interface DeadLetterContext {
  /** Whose rows: one worker's dead-letter file serves every tenant it collects for. */
  readonly tenantId: string;
  readonly reason: 'oversize' | 'unparseable';
  readonly window: TimeWindow;
  readonly page: number;
}

/** Defaults for the parts tests rarely change. */
export const DEFAULT_ACTIVITY_DEPS = {
  maxEventBytes: DEFAULT_MAX_EVENT_BYTES,
  now: () => Date.now(),
  signal: () => cancellationSignal(),
} as const;

/** Looks a tenant up in the worker's own configuration; the secret never travels in workflow input. */
export function singleTenant(config: MicrosoftConfig): (tenantId: string) => MicrosoftConfig {
  return (tenantId) => {
    if (tenantId !== config.tenantId) throw new Error(`this worker is configured for tenant ${config.tenantId}, not ${tenantId}`);
    return config;
  };
}

/** Looks a tenant up among those this worker serves (the tenants file); throws for any other. */
export function tenantLookup<T>(entries: ReadonlyMap<string, T>): (tenantId: string) => T {
  return (tenantId) => {
    const entry = entries.get(tenantId);
    if (entry === undefined) throw new Error(`tenant ${tenantId} is not in this worker's O365_TENANTS_FILE; add it there and restart the worker`);
    return entry;
  };
}
