import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { frameEvent, TAG_PATTERN, type SyslogEvent } from '../../devo/framing.js';
import { FrameParser, parseRecord, type ParsedEvent } from '../../emulator/devo-receiver/index.js';

/** Feeds `bytes` cut at `cuts` and collects everything, end() included. */
function parseInPieces(bytes: Buffer, cuts: number[]): { events: ParsedEvent[]; errors: number } {
  const parser = new FrameParser();
  const events: ParsedEvent[] = [];
  let errors = 0;
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, bytes.length]) {
    const result = parser.push(bytes.subarray(from, to));
    events.push(...result.events);
    errors += result.errors;
    from = to;
  }
  const last = parser.end();
  return { events: [...events, ...last.events], errors: errors + last.errors };
}

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: fc.constantFrom('\n', '\r', '\0', ' ', ':', '<14>', '12 ', '\x1f', '\x8b', '\u2028', '"', '\\', 'é', '📈', 'a'), maxLength: 40 }),
);
const event = fc.record({
  tag: fc.stringMatching(TAG_PATTERN, { size: 'small' }).filter((t) => t.length <= 1024),
  hostname: fc.stringMatching(/^[\x21-\x7e]{1,30}$/),
  timestamp: fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
  message: hostile,
});
/** A frame on its own, or several events in one gzip member (the SDK's zip mode) when they fit on one line each. */
const unit = fc.oneof(
  { weight: 4, arbitrary: event.map((e) => ({ events: [e], bytes: frameEvent(e) })) },
  {
    weight: 1,
    arbitrary: fc.array(event, { minLength: 1, maxLength: 5 }).map((events) => {
      const lineSafe = events.map((e) => ({ ...e, message: e.message.replace(/[\r\n\0]/g, ' ') }));
      return { events: lineSafe, bytes: gzipSync(Buffer.concat(lineSafe.map((e) => frameEvent(e)))) };
    }),
  },
);

function expectedOf(events: SyslogEvent[]) {
  return events.map((e) => ({ tag: e.tag, hostname: e.hostname, message: e.message, timeMs: Number(e.timestamp) }));
}
function observed(events: ParsedEvent[]) {
  return events.map((e) => ({ tag: e.tag, hostname: e.hostname, message: e.message, timeMs: Date.parse(`${e.timestamp.replace(' ', 'T')}Z`) }));
}

describe('the receiver frame parser', () => {
  it('gives back exactly what was framed, whatever the content and wherever TCP cuts the stream', () => {
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 30 }), (units, cuts) => {
        const bytes = Buffer.concat(units.map((u) => u.bytes));
        const result = parseInPieces(bytes, cuts);
        assert.equal(result.errors, 0);
        assert.deepEqual(observed(result.events), expectedOf(units.flatMap((u) => u.events)));
        assert.ok(result.events.every((e) => e.priority === 14));
      }),
      { numRuns: 400 },
    );
  });

  it('cut at every single byte, a mixed stream parses the same as in one piece', () => {
    const events = [
      { tag: 'my.app.a', hostname: 'h', timestamp: 0, message: 'plain' },
      { tag: 'my.app.b', hostname: 'h', timestamp: 1, message: 'multi\nline\r\n' },
      { tag: 'my.app.c', hostname: 'h', timestamp: 2, message: '1f8b? \x1f\x8b' },
    ];
    const gz = gzipSync(Buffer.concat([frameEvent({ ...events[0]!, message: 'zipped 1' }), frameEvent({ ...events[0]!, message: 'zipped 2' })]));
    const bytes = Buffer.concat([...events.map((e) => frameEvent(e)), gz, frameEvent(events[0]!)]);
    const whole = parseInPieces(bytes, []);
    const bytewise = parseInPieces(bytes, Array.from({ length: bytes.length }, (_, i) => i));
    assert.deepEqual(bytewise, whole);
    assert.deepEqual(whole.events.map((e) => e.message), ['plain', 'multi\nline\r\n', '1f8b? \x1f\x8b', 'zipped 1', 'zipped 2', 'plain']);
  });

  it('accepts the three timestamp forms Devo senders write, and PRI 13', () => {
    assert.deepEqual(parseRecord('<14>Jan  1 00:00:00 my-host my.app.test.events: {"k":"v"}'), { priority: 14, timestamp: 'Jan  1 00:00:00', hostname: 'my-host', tag: 'my.app.test.events', message: '{"k":"v"}' });
    assert.deepEqual(parseRecord('<14>1991-02-20 12:00:00 h test.tag: x'), { priority: 14, timestamp: '1991-02-20 12:00:00', hostname: 'h', tag: 'test.tag', message: 'x' });
    assert.deepEqual(parseRecord('<13>2019-02-15T09:10:53.975Z localhost my.app: msg: with colon'), { priority: 13, timestamp: '2019-02-15T09:10:53.975Z', hostname: 'localhost', tag: 'my.app', message: 'msg: with colon' });
    assert.equal(parseRecord('no header at all'), undefined);
    assert.equal(parseRecord('<999>2019-02-15T09:10:53.975Z h my.app: x'), undefined);
  });

  it("tolerates PYSDK's NUL before the newline and CRLF line ends; counts garbage lines and carries on", () => {
    const stream = Buffer.from('<14>Jan  1 00:00:00 h my.app.x: one\0\n<14>Jan  1 00:00:00 h my.app.x: two\r\nnot syslog\n\n<14>Jan  1 00:00:00 h my.app.x: three\n');
    const { events, errors } = parseInPieces(stream, [5, 40, 41]);
    assert.deepEqual(events.map((e) => e.message), ['one', 'two', 'three']);
    assert.equal(errors, 1);
  });

  it('an unterminated last record still counts at end of stream; a truncated counted frame or gzip member is an error', () => {
    assert.deepEqual(parseInPieces(Buffer.from('<14>Jan  1 00:00:00 h my.app.x: last'), []).events.map((e) => e.message), ['last']);
    const counted = frameEvent({ tag: 'my.app.x', hostname: 'h', timestamp: 0, message: 'a\nb' });
    assert.deepEqual(parseInPieces(counted.subarray(0, counted.length - 2), []), { events: [], errors: 1 });
    const gz = gzipSync(frameEvent({ tag: 'my.app.x', hostname: 'h', timestamp: 0, message: 'z' }));
    assert.deepEqual(parseInPieces(gz.subarray(0, gz.length - 3), []), { events: [], errors: 1 });
  });

  it('reads gzip members with optional header fields, and skips a damaged member to the next line', () => {
    const body = frameEvent({ tag: 'my.app.x', hostname: 'h', timestamp: 0, message: 'named' });
    const plain = gzipSync(body);
    // Same member with FNAME set: flag 0x08 and a zero-terminated name after the 10-byte header.
    const named = Buffer.concat([plain.subarray(0, 3), Buffer.from([0x08]), plain.subarray(4, 10), Buffer.from('batch.log\0'), plain.subarray(10)]);
    const damaged = Buffer.from(plain);
    damaged[damaged.length - 6]! ^= 0xff; // CRC no longer matches
    const after = frameEvent({ tag: 'my.app.x', hostname: 'h', timestamp: 0, message: 'after' });
    const { events, errors } = parseInPieces(Buffer.concat([named, damaged, Buffer.from('\n'), after]), [12, 30]);
    assert.deepEqual(events.map((e) => e.message), ['named', 'after']);
    assert.ok(errors >= 1, 'the damaged member is counted (its remains up to the newline may count again)');
  });

  it('assembles a 4 MiB octet-counted frame from 4 KiB chunks', () => {
    const message = `${'x'.repeat(4 * 1024 * 1024)}\nend`;
    const frame = frameEvent({ tag: 'my.app.x', hostname: 'h', timestamp: 0, message });
    const { events } = parseInPieces(frame, Array.from({ length: Math.ceil(frame.length / 4096) }, (_, i) => i * 4096));
    assert.equal(events.length, 1);
    assert.equal(events[0]?.message, message);
  });
});
