import { buildAddressBook, Direction, SUBJECT_COUNT, type AddressBook } from './dataset-content.js';
import { createRandom, type Random } from './random.js';
import { Status, type StatusCode } from './statuses.js';
import { TICKS_PER_MS } from './time.js';
import { TraceDataset } from './trace-dataset.js';
import {
  DEFAULT_STATUS_SETTLE,
  DEFAULT_VISIBILITY,
  drawSettleDelay,
  drawVisibilityDelay,
  visibilityProblems,
  type StatusSettleOptions,
  type VisibilityOptions,
} from './visibility.js';

/** What to generate. The same options always give the same rows. */
export interface DatasetOptions {
  /** Seeds every random choice. */
  readonly seed: number;
  /** Total rows, one per message and recipient (each message has 1–5 recipients). */
  readonly records: number;
  /** Received times fall in [startMs, endMs); rows past the clock are simply not visible yet. */
  readonly startMs: number;
  readonly endMs: number;
  /** When rows appear after receipt. @default { kind: 'realistic' } (5–10 min, 3 % up to 6 h) */
  readonly visibility?: VisibilityOptions;
  /** How long rows show gettingStatus. @default { minMs: 60_000, maxMs: 1_800_000 } */
  readonly statusSettleMs?: StatusSettleOptions;
  /**
   * Also put two messages exactly on every multiple of this interval (sub-millisecond ticks 0), so tests
   * can prove a row on a window edge is delivered exactly once. Capped at a fifth of the messages.
   */
  readonly edgeRowsEveryMs?: number;
}

/** Recipients per message: mostly one, rarely five. */
const RECIPIENT_WEIGHTS = [0.55, 0.2, 0.12, 0.08, 0.05];
const EDGE_MESSAGES_PER_EDGE = 2;

/** Generates a tenant's message trace from the options; throws a RangeError listing every bad option. */
export function generateDataset(options: DatasetOptions): TraceDataset {
  const { seed, records, startMs, endMs, visibility = DEFAULT_VISIBILITY, statusSettleMs = DEFAULT_STATUS_SETTLE } = options;
  const problems = visibilityProblems(visibility, statusSettleMs);
  if (!Number.isSafeInteger(records) || records < 0) problems.push('records must be a whole number ≥ 0');
  if (!Number.isInteger(startMs) || !Number.isInteger(endMs) || endMs <= startMs) problems.push('startMs and endMs must be integer ms with startMs < endMs');
  if (options.edgeRowsEveryMs !== undefined && !(Number.isInteger(options.edgeRowsEveryMs) && options.edgeRowsEveryMs > 0)) problems.push('edgeRowsEveryMs must be a positive integer');
  if (problems.length > 0) throw new RangeError(`invalid dataset options: ${problems.join('; ')}`);

  const random = createRandom(seed);
  const book = buildAddressBook(seed);
  const counts = drawRecipientCounts(random, records);
  const ticks = drawTicks(random, counts.length, startMs, endMs, options.edgeRowsEveryMs);
  const builder = new ColumnBuilder(records, counts.length);
  for (let m = 0; m < counts.length; ) {
    // Messages received in the same tick form a group whose recipients must all differ, so that
    // (receivedDateTime, recipientAddress) stays unique and keyset paging can rely on it.
    let end = m + 1;
    while (end < counts.length && ticks[end] === ticks[m]) end++;
    const used = new Set<number>();
    const group: PendingRow[] = [];
    for (let k = m; k < end; k++) group.push(...drawMessage(random, book, builder, k, counts[k]!, used, visibility, statusSettleMs));
    group.sort((a, b) => a.recipient - b.recipient);
    for (const row of group) builder.addRow(ticks[m]!, row);
    m = end;
  }
  return new TraceDataset({ seed, startMs, endMs, baseMs: startMs, book, ...builder.columns() });
}

function drawRecipientCounts(random: Random, records: number): Uint8Array {
  const counts: number[] = [];
  for (let left = records; left > 0; ) {
    let u = random.next();
    let n = 1;
    while (n < RECIPIENT_WEIGHTS.length && u >= RECIPIENT_WEIGHTS[n - 1]!) u -= RECIPIENT_WEIGHTS[n++ - 1]!;
    n = Math.min(n, left);
    counts.push(n);
    left -= n;
  }
  return Uint8Array.from(counts);
}

/** Received ticks (since startMs), newest first; some exactly on interval edges. */
function drawTicks(random: Random, messages: number, startMs: number, endMs: number, everyMs?: number): Float64Array {
  const ticks = new Float64Array(messages);
  let k = 0;
  if (everyMs) {
    const firstEdge = Math.ceil(startMs / everyMs) * everyMs;
    const edges = firstEdge < endMs ? Math.floor((endMs - 1 - firstEdge) / everyMs) + 1 : 0;
    const edgeMessages = Math.min(edges * EDGE_MESSAGES_PER_EDGE, Math.floor(messages / 5));
    for (; k < edgeMessages; k++) ticks[k] = (firstEdge + Math.floor((k * edges) / edgeMessages) * everyMs - startMs) * TICKS_PER_MS;
  }
  const span = (endMs - startMs) * TICKS_PER_MS;
  for (; k < messages; k++) ticks[k] = Math.floor(random.next() * span);
  return ticks.sort().reverse();
}

interface PendingRow {
  msg: number;
  recipient: number;
  size: number;
  status: StatusCode;
  visibleDelay: number;
  settleDelay: number;
}

/** Draws one message (direction, sender, subject) and its distinct recipients' rows. */
function drawMessage(
  random: Random, book: AddressBook, builder: ColumnBuilder, m: number, count: number, used: Set<number>,
  visibility: VisibilityOptions, settle: StatusSettleOptions,
): PendingRow[] {
  const u = random.next();
  const direction: Direction = u < 0.5 ? Direction.Inbound : u < 0.75 ? Direction.Outbound : Direction.Internal;
  const system = direction === Direction.Inbound && random.chance(0.06);
  const sender = system ? random.pick(book.system) : random.pick(direction === Direction.Inbound ? book.external : book.internal);
  builder.addMessage(m, sender, random.int(0, SUBJECT_COUNT - 1), direction | (system ? 4 : 0));
  const baseSize = Math.floor(2_500 * Math.exp(random.next() * 5));
  const rows: PendingRow[] = [];
  while (rows.length < count) {
    const pool = direction === Direction.Outbound ? book.external : random.chance(0.05) ? book.groups : book.internal;
    const recipient = random.pick(pool);
    if (recipient === sender || used.has(recipient)) continue;
    used.add(recipient);
    rows.push({
      msg: m,
      recipient,
      size: baseSize + random.int(0, 400),
      status: book.isGroup(recipient) ? Status.Expanded : finalStatus(random, direction),
      visibleDelay: drawVisibilityDelay(random, visibility),
      settleDelay: drawSettleDelay(random, settle),
    });
  }
  return rows;
}

function finalStatus(random: Random, direction: Direction): StatusCode {
  const u = random.next();
  if (direction === Direction.Inbound) {
    return u < 0.86 ? Status.Delivered : u < 0.93 ? Status.FilteredAsSpam : u < 0.96 ? Status.Quarantined : u < 0.98 ? Status.Failed : Status.Pending;
  }
  if (direction === Direction.Outbound) return u < 0.9 ? Status.Delivered : u < 0.96 ? Status.Failed : Status.Pending;
  return u < 0.97 ? Status.Delivered : u < 0.99 ? Status.Failed : Status.Pending;
}

/** Fills the typed-array columns in row order. */
class ColumnBuilder {
  private n = 0;
  private readonly msgSender: Uint32Array;
  private readonly msgSubject: Uint8Array;
  private readonly msgFlags: Uint8Array;
  private readonly rowTick: Float64Array;
  private readonly rowMsg: Uint32Array;
  private readonly rowRecipient: Uint32Array;
  private readonly rowSize: Int32Array;
  private readonly rowStatus: Uint8Array;
  private readonly rowVisibleDelay: Uint32Array;
  private readonly rowSettleDelay: Uint32Array;

  constructor(rows: number, messages: number) {
    [this.msgSender, this.msgSubject, this.msgFlags] = [new Uint32Array(messages), new Uint8Array(messages), new Uint8Array(messages)];
    [this.rowTick, this.rowMsg, this.rowRecipient, this.rowSize] = [new Float64Array(rows), new Uint32Array(rows), new Uint32Array(rows), new Int32Array(rows)];
    [this.rowStatus, this.rowVisibleDelay, this.rowSettleDelay] = [new Uint8Array(rows), new Uint32Array(rows), new Uint32Array(rows)];
  }

  addMessage(m: number, sender: number, subject: number, flags: number): void {
    this.msgSender[m] = sender;
    this.msgSubject[m] = subject;
    this.msgFlags[m] = flags;
  }

  addRow(tick: number, row: PendingRow): void {
    const i = this.n++;
    this.rowTick[i] = tick;
    this.rowMsg[i] = row.msg;
    this.rowRecipient[i] = row.recipient;
    this.rowSize[i] = row.size;
    this.rowStatus[i] = row.status;
    this.rowVisibleDelay[i] = row.visibleDelay;
    this.rowSettleDelay[i] = row.settleDelay;
  }

  columns() {
    const { msgSender, msgSubject, msgFlags, rowTick, rowMsg, rowRecipient, rowSize, rowStatus, rowVisibleDelay, rowSettleDelay } = this;
    return { msgSender, msgSubject, msgFlags, rowTick, rowMsg, rowRecipient, rowSize, rowStatus, rowVisibleDelay, rowSettleDelay };
  }
}
