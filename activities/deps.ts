import { cancellationSignal } from '@temporalio/activity';
import { DEFAULT_MAX_EVENT_BYTES } from '../devo/framing.js';
import type { DevoTransport } from '../devo/transport.js';
import type { TimeWindow } from '../time-windows/index.js';
import type { PackedRecords } from '../contracts/activity-io.js';
import type { PulledChunks } from './pulled-chunks.js';
import type { ServedTenants } from './served-tenants.js';

export { ServedTenants, TenantNotServedError, type DevoRoute, type ServedTenant } from './served-tenants.js';

/**
 * What activities need from the outside world. The worker passes real ones; tests pass the emulator's
 * endpoints and a real receiver (after samples-typescript activities-dependency-injection).
 */
export interface ActivityDeps {
  /**
   * The tenants this worker serves, each with its Microsoft settings (secret included) and Devo route.
   * Every activity looks its input's tenant up here first and is refused for any other tenant.
   */
  readonly tenants: ServedTenants;
  /** The worker's default Devo transport (DEVO_*), named in its start-up log; routes are per tenant. */
  readonly devo: DevoTransport;
  /** The hostname written into each syslog header. */
  readonly devoHostname: string;
  readonly devoBatchSize: number;
  /** Largest framed event sent; larger records are reported, never cut. */
  readonly maxEventBytes: number;
  /**
   * Where rows that cannot be sent go, to be handled by hand: records too large for one Devo event or one
   * pull result (`oversize`), rows of a page that are not message trace records (`unparseable`, as given),
   * and records received outside the window the page was asked for (`outside-window`).
   */
  readonly deadLetter: (rows: readonly unknown[], context: DeadLetterContext) => Promise<void>;
  readonly now: () => number;
  /** The running activity's cancellation signal, passed to sockets so cancelling closes them. */
  readonly signal: () => AbortSignal;
  /** The longest Retry-After honoured as a retry delay; tests shorten it. @default 5 minutes (MAX_RETRY_AFTER_MS) */
  readonly maxRetryAfterMs?: number;
  /** Chunks pulled by this worker and not yet sent; absent, every send reads its chunk from history. */
  readonly pulledChunks?: PulledChunks;
  /** Reads a chunk from its pull's result in the run's history; tests make it miss. @default chunkInHistory */
  readonly chunkInHistory?: (pullActivityId: string) => Promise<PackedRecords>;
}

/** Why and from where rows went to the dead-letter file, written beside each of them. */
export interface DeadLetterContext {
  /** Whose rows: one worker's dead-letter file serves every tenant it collects for. */
  readonly tenantId: string;
  readonly reason: 'oversize' | 'unparseable' | 'outside-window';
  readonly window: TimeWindow;
  readonly page: number;
}

/** Defaults for the parts tests rarely change. */
export const DEFAULT_ACTIVITY_DEPS = {
  maxEventBytes: DEFAULT_MAX_EVENT_BYTES,
  now: () => Date.now(),
  signal: () => cancellationSignal(),
} as const;
