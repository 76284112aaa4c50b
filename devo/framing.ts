import { DevoInvalidEvent } from './errors.js';

/**
 * Devo's syslog framing (docs/sources.md#devo-syslog): `<14>YYYY-MM-DD HH:MM:SS.mmm HOST TAG: MESSAGE\n`,
 * priority user.info, the Collector SDK's UTC timestamp. A message holding a line break (or a NUL, which
 * a line reader may treat as a terminator) is sent with octet counting (`<len> <record>`, len in bytes of
 * the whole record), so the receiver cannot split it.
 */

/** One event to frame, as the collector hands it over. */
export interface SyslogEvent {
  /** The Devo tag, which picks the table, e.g. `cloud.office365.messagetracing`. */
  readonly tag: string;
  /** The sending host, written in the header; one word. */
  readonly hostname: string;
  /** The event's own time, rendered in UTC; Devo indexes by arrival anyway (§1.3). */
  readonly timestamp: Date | number;
  /** The payload, unchanged (the record's JSON), as text or as its UTF-8 bytes. */
  readonly message: string | Uint8Array;
}

/** A safe Devo tag: dotted segments, lowercase first; a space or colon would break the syslog header (§4). */
export const TAG_PATTERN = /^[a-z0-9_-]+(\.[A-Za-z0-9_-]+){1,9}$/;
/** The Collector SDK refuses longer tags (§4). */
export const MAX_TAG_LENGTH = 1024;
/** Devo documents no limit for syslog events; §1.3 recommends capping at 256 KiB until Devo confirms one. */
export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

/** Room left in an event for the syslog header (priority, timestamp, hostname, tag). */
export const HEADER_ALLOWANCE = 1024;

/**
 * The largest record, as the UTF-8 bytes of its JSON, that goes out as one event of at most
 * `maxEventBytes`. A larger one is set aside for the dead-letter file, never cut: at pull time, and again
 * at send time for chunks pulled before that.
 */
export function maxRecordBytes(maxEventBytes: number): number {
  return maxEventBytes - HEADER_ALLOWANCE;
}

const PRIORITY = '<14>'; // facility user (1) * 8 + severity info (6), as PYSDK and devo-go send
const HOSTNAME = /^[\x21-\x7e]{1,255}$/; // printable ASCII without spaces: one header word
const NEEDS_COUNTING = /[\r\n\0]/;
const NEEDS_COUNTING_BYTES = [0x0d, 0x0a, 0x00];
/** The byte that ends every event, framed or (HTTP) in a batch body. */
export const LINE_FEED = Buffer.from('\n');

/** Frames one event as bytes ready for the socket; throws DevoInvalidEvent for a bad tag, host or time. */
export function frameEvent(event: SyslogEvent): Buffer {
  const { message } = event;
  const record =
    typeof message === 'string'
      ? Buffer.from(`${header(event)}${message}\n`, 'utf8')
      : // The header is printable ASCII (tag and hostname are checked), so latin1 writes it as UTF-8 would.
        Buffer.concat([Buffer.from(header(event), 'latin1'), message, LINE_FEED]);
  const needsCounting = typeof message === 'string' ? NEEDS_COUNTING.test(message) : NEEDS_COUNTING_BYTES.some((byte) => message.includes(byte));
  if (!needsCounting) return record;
  return Buffer.concat([Buffer.from(`${record.length} `, 'latin1'), record]);
}

/** What frameBatch produced: the frames to send, their total size, and the events left out. */
export interface FramedBatch {
  /** Frames in event order, oversize events omitted. */
  readonly frames: Buffer[];
  /** Total bytes of `frames`. */
  readonly bytes: number;
  /** Events not framed because their frame would exceed `maxEventBytes`: index in the input, frame size. */
  readonly oversize: Array<{ index: number; bytes: number }>;
}

/**
 * Frames a batch. An event whose frame exceeds `maxEventBytes` [256 KiB] is left out and reported, never
 * cut: a truncated JSON record would reach Devo as garbage and look delivered.
 */
export function frameBatch(events: readonly SyslogEvent[], options: { maxEventBytes?: number } = {}): FramedBatch {
  const max = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const frames: Buffer[] = [];
  const oversize: Array<{ index: number; bytes: number }> = [];
  let bytes = 0;
  events.forEach((event, index) => {
    const frame = frameEvent(event);
    if (frame.length > max) {
      oversize.push({ index, bytes: frame.length });
      return;
    }
    frames.push(frame);
    bytes += frame.length;
  });
  return { frames, bytes, oversize };
}

function header(event: SyslogEvent): string {
  if (event.tag !== validated.tag || event.hostname !== validated.hostname) validateSource(event);
  return `${PRIORITY}${timestamp(event.timestamp)} ${event.hostname} ${event.tag}: `;
}

/** The last tag and hostname found valid: a batch repeats the same pair for every event. */
const validated = { tag: '', hostname: '' };

function validateSource(event: SyslogEvent): void {
  if (event.tag.length > MAX_TAG_LENGTH || !TAG_PATTERN.test(event.tag)) {
    // The tag is configuration, not record content, so it may be named (JSON-quoted, control chars escaped).
    throw new DevoInvalidEvent(`invalid Devo tag ${JSON.stringify(event.tag.slice(0, 80))}: expected dotted segments like cloud.office365.messagetracing (${TAG_PATTERN.source}, at most ${MAX_TAG_LENGTH} characters)`);
  }
  if (!HOSTNAME.test(event.hostname)) {
    throw new DevoInvalidEvent(`invalid syslog hostname ${JSON.stringify(event.hostname.slice(0, 80))}: one word of printable ASCII, no spaces`);
  }
  validated.tag = event.tag;
  validated.hostname = event.hostname;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: the Collector SDK's `%Y-%m-%d %H:%M:%S.%f`[:23] (§1.3). */
function timestamp(value: Date | number): string {
  // Truncated as Date does; the second's text is reused, since a page's records share their seconds.
  const ms = Math.trunc(value instanceof Date ? value.getTime() : value);
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond.second) lastSecond = { second, text: secondText(value, second) };
  const millis = ms - second * 1000;
  return `${lastSecond.text}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}`;
}

let lastSecond = { second: NaN, text: '' };

function secondText(value: Date | number, second: number): string {
  const date = new Date(second * 1000);
  const year = date.getUTCFullYear();
  // toISOString switches to a six-digit signed year outside 0000-9999, which the header cannot carry.
  if (!Number.isFinite(second) || year < 0 || year > 9999) throw new DevoInvalidEvent(`invalid event timestamp ${String(value)}: not a date between years 0 and 9999`);
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
