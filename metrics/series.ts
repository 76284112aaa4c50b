/**
 * The collector's own Prometheus series, served beside the SDK's `temporal_*` series on the worker's
 * metrics endpoint. Pure constants, so workflow code may import them. Every series carries `tenant_id`
 * (never a secret, an address or a record field); the SDK adds `namespace`, `taskQueue` and
 * `activityType` (activity series) or `workflowType` (workflow series).
 */

/** How a series is recorded, as Prometheus shows it. */
export type SeriesKind = 'counter' | 'gauge';

/** Which side records it: the worker's activity interceptor, the workflow (replay-safe), or the worker process itself. */
export type SeriesSource = 'activity' | 'workflow' | 'worker';

/** One series: its name as scraped, its kind, its labels beyond the SDK's, and what it means. */
export interface SeriesDefinition {
  readonly name: string;
  readonly kind: SeriesKind;
  readonly source: SeriesSource;
  readonly labels: readonly string[];
  readonly unit?: string;
  readonly help: string;
}

const series = <T extends Record<string, SeriesDefinition>>(definitions: T): { readonly [K in keyof T]: SeriesDefinition } => definitions;

/** Every series the collector adds, keyed by a short name for code. */
export const SERIES = series({
  recordsPulled: {
    name: 'o365_records_pulled_total',
    kind: 'counter',
    source: 'activity',
    labels: ['tenant_id'],
    help: 'Records in the pages pulled from Microsoft',
  },
  pagesPulled: {
    name: 'o365_pages_pulled_total',
    kind: 'counter',
    source: 'activity',
    labels: ['tenant_id'],
    help: 'Pages pulled from Microsoft',
  },
  microsoftCalls: {
    name: 'o365_microsoft_calls_total',
    kind: 'counter',
    source: 'activity',
    labels: ['tenant_id', 'outcome'],
    help: 'Requests to Microsoft (one per fetchToken attempt, one per page a pullPage attempt asked for), by outcome: ok or the failure type',
  },
  microsoftThrottled: {
    name: 'o365_microsoft_throttled_total',
    kind: 'counter',
    source: 'activity',
    labels: ['tenant_id'],
    help: 'Requests Microsoft answered with 429 Too Many Requests',
  },
  recordsDelivered: {
    name: 'o365_records_delivered_total',
    kind: 'counter',
    source: 'activity',
    labels: ['tenant_id'],
    help: 'Records confirmed by Devo',
  },
  recordsResent: {
    name: 'o365_records_resent_total',
    kind: 'counter',
    source: 'activity',
    labels: ['tenant_id'],
    help: 'Records sent again because the confirmation of their batch was lost (duplicates in Devo)',
  },
  devoSends: {
    name: 'o365_devo_sends_total',
    kind: 'counter',
    source: 'activity',
    labels: ['tenant_id', 'outcome'],
    help: 'sendToDevo attempts, by outcome: ok or the failure type',
  },
  deadLetters: {
    name: 'o365_dead_letters_total',
    kind: 'counter',
    source: 'activity',
    labels: ['tenant_id', 'reason'],
    help: 'Records written to the dead-letter file instead of Devo, by reason (oversize, unparseable, outside-window)',
  },
  cursor: {
    name: 'o365_cursor_timestamp_seconds',
    kind: 'gauge',
    source: 'workflow',
    labels: ['tenant_id'],
    unit: 's',
    help: 'End of the last fully delivered live window, as Unix time',
  },
  lag: {
    name: 'o365_lag_seconds',
    kind: 'gauge',
    source: 'workflow',
    labels: ['tenant_id'],
    unit: 's',
    help: 'How far the cursor is behind now, when the workflow last reported',
  },
  budgetUsed: {
    name: 'o365_budget_used',
    kind: 'gauge',
    source: 'workflow',
    labels: ['tenant_id'],
    help: "Microsoft calls booked in the budget's current window (5 minutes)",
  },
  budgetLimit: {
    name: 'o365_budget_limit',
    kind: 'gauge',
    source: 'workflow',
    labels: ['tenant_id'],
    help: 'Microsoft calls the budget allows per window',
  },
  backfillPending: {
    name: 'o365_backfill_pending_seconds',
    kind: 'gauge',
    source: 'workflow',
    labels: ['tenant_id'],
    unit: 's',
    help: 'Length of the backfill ranges still to pull',
  },
  credentialExpiry: {
    name: 'o365_credential_expiry_days',
    kind: 'gauge',
    source: 'workflow',
    labels: ['tenant_id'],
    unit: 'd',
    help: "Days until the tenant's client certificate expires (certificate credentials only; 0 once expired)",
  },
  devoCertificateExpiry: {
    name: 'o365_devo_certificate_expiry_days',
    kind: 'gauge',
    source: 'worker',
    labels: ['tenant_id'],
    unit: 'd',
    help: "Days until the Devo domain certificate the tenant's events are sent with (DEVO_CERT or its devo.cert) expires; 0 once expired",
  },
  needsOperator: {
    name: 'o365_needs_operator',
    kind: 'gauge',
    source: 'workflow',
    labels: ['tenant_id'],
    help: '1 while the collector waits on a failure only an operator can fix (see o365-trace status), else 0',
  },
});

export type SeriesKey = keyof typeof SERIES;

/** The outcome label of a successful attempt; failed ones carry their failure type. */
export const OUTCOME_OK = 'ok';
