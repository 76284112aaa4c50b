import { destinationIp, Direction, internetMessageId, ORGANIZATION, sourceIp, subjectText } from './dataset-content.js';
import { hash32, hashGuid } from './random.js';
import { GRAPH_STATUS, REPORTING_STATUS, Status, type StatusCode } from './statuses.js';
import { formatTicksLocal, formatTicksUtc, parsePreciseIso, TICKS_PER_MS, type PreciseTime } from './time.js';
import type { DatasetColumns, GraphRow, GroundTruthRow, ReportingRow } from './trace-rows.js';

export type { DatasetColumns, GraphRow, GroundTruthRow, ReportingRow } from './trace-rows.js';

/** The per-message strings, derived from the message index rather than stored. */
interface MessageStrings {
  id: string;
  messageId: string;
  senderAddress: string;
  subject: string;
  fromIP: string;
  direction: Direction;
}

/**
 * A generated tenant's message trace: every recipient row, sorted as the services return them
 * (receivedDateTime descending, then recipientAddress ascending, docs/sources.md#graph-fields/§2.3). Rows are
 * addressed by index (0 = newest); the server binary-searches time windows instead of scanning.
 */
export class TraceDataset {
  /** Number of rows (recipients), visible or not. */
  readonly size: number;
  readonly seed: number;
  readonly startMs: number;
  readonly endMs: number;
  /** The RWS `Organization` of every row. */
  readonly organization = ORGANIZATION;
  private readonly c: DatasetColumns;
  private readonly addressIndex: Map<string, number>;
  private cachedMsg = -1;
  private cached: MessageStrings | undefined;

  constructor(columns: DatasetColumns) {
    this.c = columns;
    this.size = columns.rowTick.length;
    this.seed = columns.seed;
    this.startMs = columns.startMs;
    this.endMs = columns.endMs;
    this.addressIndex = new Map(columns.book.addresses.map((a, i) => [a, i]));
  }

  /** A precise time as this dataset's tick count (exact while within ~28 years of the data). */
  tickOf(time: PreciseTime): number {
    return (time.ms - this.c.baseMs) * TICKS_PER_MS + time.sub;
  }

  /** A row's sort key: its received tick (higher = newer). */
  tick(i: number): number {
    return this.c.rowTick[i]!;
  }

  /** A row's received time. */
  received(i: number): PreciseTime {
    const t = this.c.rowTick[i]!;
    const sub = t % TICKS_PER_MS;
    return { ms: this.c.baseMs + (t - sub) / TICKS_PER_MS, sub };
  }

  /** The smallest index whose row is not newer than `tick` (size if none): a window's first row. */
  firstAtOrBefore(tick: number): number {
    return this.search((t) => t <= tick);
  }

  /** The smallest index whose row is older than `tick` (size if none): one past a window's last row. */
  firstBefore(tick: number): number {
    return this.search((t) => t < tick);
  }

  /** The index of the first row strictly after (tick, recipient) in service order: keyset continuation. */
  firstAfter(tick: number, recipient: string): number {
    let i = this.firstAtOrBefore(tick);
    const end = this.firstBefore(tick);
    while (i < end && !(this.recipient(i) > recipient)) i++;
    return i;
  }

  private search(pass: (tick: number) => boolean): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pass(this.c.rowTick[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** A row's recipient address. */
  recipient(i: number): string {
    return this.c.book.addresses[this.c.rowRecipient[i]!]!;
  }

  /** The address-book index of an address (lower-case), to compare rows without building strings. */
  addressId(address: string): number | undefined {
    return this.addressIndex.get(address.toLowerCase());
  }

  /** A row's recipient as an address-book index. */
  recipientId(i: number): number {
    return this.c.rowRecipient[i]!;
  }

  /** A row's received time truncated to the millisecond; cheaper than {@link received} in scans. */
  receivedMs(i: number): number {
    return this.c.baseMs + Math.floor(this.c.rowTick[i]! / TICKS_PER_MS);
  }

  /** When a row first appears in responses, in epoch ms. */
  visibleAtMs(i: number): number {
    return this.receivedMs(i) + this.c.rowVisibleDelay[i]!;
  }

  /** Whether a row is in responses at `nowMs`: rows are absent before their visibility time. */
  isVisible(i: number, nowMs: number): boolean {
    return this.visibleAtMs(i) <= nowMs;
  }

  /** When a row's status changes from gettingStatus to its final one, in epoch ms. */
  settlesAtMs(i: number): number {
    return this.receivedMs(i) + this.c.rowSettleDelay[i]!;
  }

  /** The status a row shows at `nowMs`; without a time, its final status. */
  status(i: number, nowMs = Infinity): StatusCode {
    return nowMs < this.settlesAtMs(i) ? Status.GettingStatus : (this.c.rowStatus[i] as StatusCode);
  }

  /** The strings a row shares with the other rows of its message. */
  message(i: number): MessageStrings {
    const m = this.c.rowMsg[i]!;
    if (m === this.cachedMsg && this.cached) return this.cached;
    const flags = this.c.msgFlags[m]!;
    const direction = (flags & 3) as Direction;
    const salt = hash32(this.seed, m, 13);
    this.cachedMsg = m;
    this.cached = {
      id: hashGuid(this.seed, m, 11),
      messageId: internetMessageId(hashGuid(this.seed, m, 12), direction, salt),
      senderAddress: this.c.book.addresses[this.c.msgSender[m]!]!,
      subject: subjectText(this.c.msgSubject[m]!, salt),
      fromIP: sourceIp(direction, (flags & 4) !== 0, salt),
      direction,
    };
    return this.cached;
  }

  /** The destination IP: the MX of an outbound recipient, blank for inbound and internal mail (§2.3). */
  toIP(i: number): string {
    return this.message(i).direction === Direction.Outbound ? destinationIp(this.recipient(i)) : '';
  }

  /** A row's size in bytes; it varies per recipient. */
  rowSize(i: number): number {
    return this.c.rowSize[i]!;
  }

  /** A row as Graph returns it at `nowMs` (final status when no time is given). */
  graphRow(i: number, nowMs = Infinity): GraphRow {
    const m = this.message(i);
    const t = this.received(i);
    return {
      id: m.id,
      senderAddress: m.senderAddress,
      recipientAddress: this.recipient(i),
      messageId: m.messageId,
      receivedDateTime: formatTicksUtc(t.ms, t.sub),
      subject: m.subject,
      size: this.c.rowSize[i]!,
      fromIP: m.fromIP,
      toIP: this.toIP(i),
      status: GRAPH_STATUS[this.status(i, nowMs)]!,
    };
  }

  /** Every field of a row as the Reporting Web Service names it, minus the per-query StartDate, EndDate and Index. */
  reportingRow(i: number, nowMs = Infinity): ReportingRow {
    const m = this.message(i);
    const t = this.received(i);
    const toIP = this.toIP(i);
    return {
      Organization: this.organization,
      MessageId: m.messageId,
      Received: formatTicksLocal(t.ms, t.sub),
      SenderAddress: m.senderAddress,
      RecipientAddress: this.recipient(i),
      Subject: m.subject,
      Status: REPORTING_STATUS[this.status(i, nowMs)]!,
      // Blank IPs are null in the RWS, "" in Graph (docs/sources.md#rws-fields).
      ToIP: toIP === '' ? null : toIP,
      FromIP: m.fromIP === '' ? null : m.fromIP,
      Size: this.c.rowSize[i]!,
      MessageTraceId: m.id,
    };
  }

  /** One ground-truth row by index. */
  rowAt(i: number): GroundTruthRow {
    if (!(i >= 0 && i < this.size)) throw new RangeError(`row ${i} outside 0..${this.size - 1}`);
    return { ...this.graphRow(i), visibleAt: new Date(this.visibleAtMs(i)).toISOString(), settlesAt: new Date(this.settlesAtMs(i)).toISOString() };
  }

  /** Every row, newest first, as ground truth. */
  *rows(): IterableIterator<GroundTruthRow> {
    for (let i = 0; i < this.size; i++) yield this.rowAt(i);
  }

  /** Every row as ground truth, in service order, whatever its visibility. */
  groundTruth(): GroundTruthRow[] {
    return [...this.rows()];
  }

  /**
   * Rows received in [start, end], both inclusive, compared at 100-ns precision. Bounds are ISO texts
   * (0–7 fractional digits; no zone means UTC) or epoch milliseconds.
   */
  rowsIn(start: string | number, end: string | number): GroundTruthRow[] {
    const [from, to] = this.indexRange(start, end);
    const rows: GroundTruthRow[] = [];
    for (let i = from; i < to; i++) rows.push(this.rowAt(i));
    return rows;
  }

  /** Like {@link rowsIn}, in the Reporting Web Service's field names and order, with the final status. */
  reportingRowsIn(start: string | number, end: string | number): ReportingRow[] {
    const [from, to] = this.indexRange(start, end);
    const rows: ReportingRow[] = [];
    for (let i = from; i < to; i++) rows.push(this.reportingRow(i));
    return rows;
  }

  private indexRange(start: string | number, end: string | number): [number, number] {
    const bound = (b: string | number): PreciseTime => {
      const t = typeof b === 'number' ? { ms: b, sub: 0 } : parsePreciseIso(b);
      if (!t) throw new RangeError(`not a time: ${String(b)}`);
      return t;
    };
    return [this.firstAtOrBefore(this.tickOf(bound(end))), this.firstBefore(this.tickOf(bound(start)))];
  }
}
