import fc from 'fast-check';

/**
 * Hostile input for the property tests: the strings, bytes and JSON an attacker, a proxy or a broken
 * Microsoft answer could hand the collector. Runs per property are fixed and small enough that the
 * whole folder stays under half a minute on the two-core machine.
 */
export const RUNS = { pure: 200, sockets: 40 } as const;

/** Characters that break parsers: line ends, NUL, separators, quotes, lone surrogates, emoji. */
const NASTY_UNITS = ['\n', '\r', '\0', '\x1b', '\u2028', '\u2029', '\ufeff', '\ud800', '\udfff', '"', '\\', '<', '/', ':', ' ', '\t', 'é', '📈', 'a', '1', '%', '?', '#', '@'];

/** Any string, weighted towards control characters, lone surrogates and syntax characters. */
export const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...NASTY_UNITS), maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

/** Bytes that are mostly not UTF-8, as text the way got and the receiver decode them (U+FFFD replacements). */
export const invalidUtf8Text = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('utf8'));

/** A huge string (1-3 MiB), repeated so generating it stays cheap. */
export const hugeString = fc.tuple(fc.constantFrom('x', '\n', '"', '\ud800', 'é'), fc.integer({ min: 1, max: 3 })).map(([unit, mib]) => unit.repeat(mib * 1024 * 1024));

/** `depth` nested arrays around `inner`, as JSON text, built without recursion. */
export function nestedArrays(depth: number, inner = ''): string {
  return `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
}

/** A received time in every form, valid or not. */
export const receivedText = fc.oneof(
  fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '')),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map((n) => `/Date(${n})/`),
  fc.constantFrom('/Date(99999999999999999999)/', '2026-13-45T99:99:99Z', '0000-00-00T00:00:00', '2026-11-24T10:00:00.12345678Z', 'yesterday', '', '2026-11-24T10:00:00+02:00'),
  hostileString,
);

/** A Graph row: usable, missing a key field, or with fields of the wrong type. */
export const graphRow = fc.record(
  {
    id: fc.oneof(fc.uuid(), hostileString, fc.constant(null), fc.integer()),
    recipientAddress: fc.oneof(fc.emailAddress(), hostileString, fc.constant(null)),
    receivedDateTime: fc.oneof(receivedText, fc.integer(), fc.constant(null)),
    subject: hostileString,
    status: fc.constantFrom('delivered', 'failed', 'gettingStatus'),
  },
  { requiredKeys: [] },
);

/** A Reporting Web Service row, with or without its OData envelope. */
export const reportingRow = fc.record(
  {
    MessageTraceId: fc.oneof(fc.uuid(), hostileString, fc.constant(null)),
    MessageId: fc.oneof(fc.string(), fc.constant(null)),
    RecipientAddress: fc.oneof(fc.emailAddress(), hostileString, fc.constant(null)),
    Received: fc.oneof(receivedText, fc.integer()),
    Subject: hostileString,
    __metadata: fc.record({ uri: fc.webUrl() }),
  },
  { requiredKeys: [] },
);

/** Anything at all as a row: other JSON values, arrays, and rows of either API. */
export const anyRow = fc.oneof(graphRow, reportingRow, fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(null, 0, '', [], {}));

/** A next link: absent, relative, same host, another host, or not a URL at all. */
export const nextLinkValue = fc.oneof(
  fc.constant(undefined),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  hostileString,
  fc.constantFrom('//evil.example/x', 'https://evil.example@graph.example/', 'https://graph.example@evil.example/', '\\\\evil.example\\x', 'javascript:alert(1)', 'http://[', 'http://', '../../ReportingWebService/x?$skiptoken=1', 'data:text/plain,x'),
  fc.integer(),
  fc.jsonValue({ maxDepth: 2 }),
);
