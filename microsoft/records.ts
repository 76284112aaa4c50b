import type { TimeWindow } from '../time-windows/index.js';

/**
 * Record types. Records keep Microsoft's own field names and values: Graph's camelCase
 * (`id`, `recipientAddress`, `receivedDateTime`) and the Reporting Web Service's PascalCase
 * (`MessageTraceId`, `RecipientAddress`, `Received`). The collector forwards them unchanged.
 */

/** One message trace row as an API returned it: one row per message and recipient. */
export type TraceRecord = Record<string, unknown>;

/** A Graph messageTraces row (docs/sources.md#graph-query). */
export interface GraphTraceRecord {
  id: string;
  senderAddress: string;
  recipientAddress: string;
  messageId: string;
  receivedDateTime: string;
  subject: string;
  size: number;
  fromIP: string;
  toIP: string;
  status: string;
}

/** A Reporting Web Service MessageTrace row (docs/sources.md#rws-fields). */
export interface ReportingTraceRecord {
  Organization: string;
  MessageId: string | null;
  Received: string;
  SenderAddress: string;
  RecipientAddress: string;
  Subject: string;
  Status: string;
  ToIP: string | null;
  FromIP: string | null;
  Size: number;
  MessageTraceId: string;
  StartDate: string;
  EndDate: string;
  Index: number;
}

/** One page request to either API: a window's first page, or the API's next link to follow verbatim. */
export interface PageRequest {
  /** The API's base URL (O365_GRAPH_URL or O365_REPORTING_URL). */
  readonly baseUrl: string;
  readonly window: TimeWindow;
  readonly pageSize: number;
  readonly accessToken: string;
  readonly nextLink?: string;
  /** Without a next link: query only rows received up to this time (inclusive), to resume a window. */
  readonly upTo?: string;
  readonly signal?: AbortSignal;
}

/** One page of records plus the link to the next page, if any. */
export interface TracePage {
  readonly records: TraceRecord[];
  /** Rows that are not usable message trace records (see row-check.ts), for the dead-letter file. */
  readonly unparseable: unknown[];
  readonly nextLink?: string;
}

/**
 * The identity of a row: message id and recipient. A message to N recipients yields N rows that share the
 * id (docs/sources.md#one-row-per-recipient), so deduplicating on the id alone would drop recipients.
 */
export function recordKey(record: TraceRecord): string {
  const id = record.id ?? record.MessageTraceId ?? record.MessageId;
  const recipient = record.recipientAddress ?? record.RecipientAddress;
  return `${String(id)}|${String(recipient)}`;
}
