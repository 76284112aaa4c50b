import type { TimeWindow } from '../time-windows/index.js';
import type { TraceRecord } from '../microsoft/records.js';
import type { ResumePoint } from '../microsoft/resume-point.js';
import type { PackedRecords } from './packed-records.js';

/** Input of fetchToken: which tenant's app registration the worker should use. */
export interface FetchTokenInput {
  readonly tenantId: string;
  readonly source: 'graph' | 'reporting';
}

/** Input of pullPage: the window's first page, or the API's next link for a later one. */
export interface PullPageInput {
  readonly tenantId: string;
  readonly source: 'graph' | 'reporting';
  readonly window: TimeWindow;
  readonly pageSize: number;
  readonly accessToken: string;
  readonly nextLink?: string;
  /** 1-based page number within the window, for logs and the UI. */
  readonly page: number;
  /** Without a next link: continue the window after this row instead of from its start. */
  readonly resumeAfter?: ResumePoint;
  /** Follow next links for up to this many pages (Microsoft calls booked by the workflow) @default 1 */
  readonly maxPages?: number;
}

/**
 * A pulled page: the records exactly as Microsoft sent them, packed, and the next link, if any.
 * Histories written before packing hold `records` instead; both shapes are read.
 */
export interface PulledPage {
  readonly packed?: PackedRecords;
  /** Pages pulled by earlier versions: the records as an array. */
  readonly records?: TraceRecord[];
  readonly nextLink?: string;
  /** The last row's key, to resume the window from should Microsoft refuse the next link. */
  readonly resumePoint?: ResumePoint;
  /** Rows written to the dead-letter file instead of being returned, for any reason (the two below included). */
  readonly deadLettered?: number;
  /** Of those, records too large for one Devo event or one pull result. */
  readonly oversize?: number;
  /** Of those, records received outside the window asked for. */
  readonly outsideWindow?: number;
  /**
   * A page was cut to keep the result within its byte limit: the rest of the window is to be queried
   * afresh from `resumePoint`, as after a refused next link (`nextLink`, if any, is not followed).
   */
  readonly cutShort?: boolean;
  /** Pages in this chunk @default 1 */
  readonly pages?: number;
  /** The failure type of a later page that ended the chunk early; that call was made too. */
  readonly endedBy?: string;
  /** The pull's activity id, by which the send names this chunk instead of carrying it again; absent in older histories. */
  readonly activityId?: string;
}

/** Input of sendToDevo: one pull's records to deliver (a page or a chunk of pages), confirmed batch by batch; packed or (older) an array. */
export interface SendToDevoInput {
  readonly tenantId: string;
  readonly packed?: PackedRecords;
  readonly records?: TraceRecord[];
  readonly window: TimeWindow;
  readonly page: number;
}

/** What sendToDevo confirmed. */
export interface SendToDevoResult {
  /** Records confirmed by Devo's side (oversize records excluded). */
  readonly delivered: number;
  readonly batches: number;
  /** Records resent because a previous attempt's last batch was unconfirmed (bounded by one batch). */
  readonly resent: number;
  /** Records too large to send as one event; counted and reported, never silently cut. */
  readonly oversize: number;
  readonly bytes: number;
}

/** Progress a retried sendToDevo attempt resumes from. */
export interface SendProgress {
  readonly confirmedBatches: number;
}

/** How many records a pulled page holds, in either shape. */
export function recordCount(page: Pick<PulledPage, 'packed' | 'records'>): number {
  return page.packed?.count ?? page.records?.length ?? 0;
}
