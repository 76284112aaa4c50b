/**
 * The wire shapes of the activities' inputs and results: what history holds, so a contract with every
 * running collector. Older histories hold older shapes (records as arrays, base64 bytes, no pull ids);
 * `sendInputOf` and `sendContentOf` are the one place they are told apart.
 */
import type { TraceRecord } from '../microsoft/records.js';
import type { ResumePoint } from '../microsoft/resume-point.js';
import type { TimeWindow } from '../time-windows/windows.js';
import type { SourceName } from './microsoft-limits.js';

/**
 * A page's records as they travel through the workflow: one line per record, `<received ms>\t<JSON>`,
 * deflated. The workflow only passes a page from pullPage to sendToDevo; carried as an array of objects,
 * each page would be serialised, compressed and parsed again at every hop (activity result, workflow
 * sandbox, activity input). Packed, those hops move the same bytes: the payload converter
 * (codec/payload-converter.ts) carries them as the payload's data and the codec only encrypts them. The
 * time rides along so the sender never parses a record again.
 */
export interface PackedRecords {
  readonly count: number;
  /** The raw-deflated lines, `\n` between records (JSON.stringify never writes a raw tab or newline). */
  readonly deflated?: Uint8Array;
  /** Histories written before binary packing: the same bytes in base64. */
  readonly deflatedEvents?: string;
  /**
   * A send's input instead of the bytes: the id of the pullPage activity, in the same workflow run, whose
   * result holds them (activities/pulled-chunks.ts).
   */
  readonly pulledBy?: string;
  /** Drawn by the pull attempt that packed the bytes: the key of the chunk in that worker's memory. */
  readonly chunkId?: string;
}

/** Input of fetchToken: which tenant's app registration the worker should use. */
export interface FetchTokenInput {
  readonly tenantId: string;
  readonly source: SourceName;
}

/** Input of pullPage: the window's first page, or the API's next link for a later one. */
export interface PullPageInput {
  readonly tenantId: string;
  readonly source: SourceName;
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

/** How many pages a pull's chunk holds; pulls from before chunks held one. */
export function chunkPages(pulled: Pick<PulledPage, 'pages'>): number {
  return pulled.pages ?? 1;
}

/**
 * What the send of a pulled chunk is given. The chunk is in history already, as the pull's result: the
 * send names that pull and its record count, and finds the bytes in the worker's memory or in that
 * result (activities/pulled-chunks.ts), so each chunk enters history once. Pulls from before pulls had
 * an id, and pages from before packing (a record array), are passed on as they came. A worker from
 * before this finds no bytes to inflate in a named chunk and fails the send, to be retried: it never
 * sends nothing and calls it done.
 */
export function sendInputOf(pulled: PulledPage): Pick<SendToDevoInput, 'packed' | 'records'> {
  if (!pulled.packed) return { records: pulled.records };
  if (pulled.activityId === undefined) return { packed: pulled.packed };
  return { packed: { count: pulled.packed.count, pulledBy: pulled.activityId, chunkId: pulled.packed.chunkId } };
}

/** What a send's input holds, whatever the version of the workflow that wrote it. */
export type SendContent =
  /** Pages from before packing: the records as an array. */
  | { readonly kind: 'records'; readonly records: readonly TraceRecord[] }
  /** The packed bytes themselves (binary, or base64 `deflatedEvents` in histories before binary packing). */
  | { readonly kind: 'packed'; readonly packed: PackedRecords }
  /** The pull that packed them, by activity id and chunk id: the bytes are in the worker's memory or the run's history. */
  | { readonly kind: 'named'; readonly pulledBy: string; readonly chunkId?: string; readonly count: number };

export function sendContentOf(input: Pick<SendToDevoInput, 'packed' | 'records'>): SendContent {
  const { packed } = input;
  if (!packed) return { kind: 'records', records: input.records ?? [] };
  if (packed.pulledBy === undefined || packed.deflated || packed.deflatedEvents !== undefined) return { kind: 'packed', packed };
  return { kind: 'named', pulledBy: packed.pulledBy, chunkId: packed.chunkId, count: packed.count };
}
