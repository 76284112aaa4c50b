/** One syslog event as Devo would see it, split out of its header. */
export interface ParsedEvent {
  /** `<PRI>`: 14 (user.info) from our sender and PYSDK, 13 from the Node SDK. */
  readonly priority: number;
  /** The header timestamp exactly as written, in whichever of the three forms the sender used. */
  readonly timestamp: string;
  readonly hostname: string;
  /** The Devo tag, which picks the table. */
  readonly tag: string;
  /** The payload, byte for byte (multi-line when the frame was octet-counted). */
  readonly message: string;
}

// The three timestamp forms Devo's own senders write (docs/sources.md#devo-syslog): BSD `Jan  1 00:00:00`
// (space-padded day), the Collector SDK's `2024-05-01 12:00:00.123`, and ISO 8601 / RFC 3339.
const BSD = String.raw`[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d`;
const COLLECTOR_SDK = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?`;
const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?`;
const HEADER = new RegExp(String.raw`^<(\d{1,3})>(${BSD}|${COLLECTOR_SDK}|${ISO}) (\S+) ([^:\s]+): (.*)$`, 's');
// The reference's own regex (§1.6) as a fallback, for timestamps in none of the three forms.
const LOOSE = /^<(\d{1,3})>(.+?) (\S+) ([^:\s]+): (.*)$/s;

/** Parses one record without its terminator; undefined when it is not a syslog line. */
export function parseRecord(record: string): ParsedEvent | undefined {
  const match = HEADER.exec(record) ?? LOOSE.exec(record);
  if (!match) return undefined;
  const priority = Number(match[1]);
  if (priority > 191) return undefined; // facility 23, severity 7: the largest valid PRI
  return { priority, timestamp: match[2]!, hostname: match[3]!, tag: match[4]!, message: match[5]! };
}
