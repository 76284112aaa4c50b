import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { frameBatch, frameEvent, TAG_PATTERN, type SyslogEvent } from '../../devo/framing.js';
import { FrameParser } from '../../emulator/devo-receiver/index.js';
import { hostileString, hugeString, invalidUtf8Text, RUNS } from './hostile.js';

const message = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: invalidUtf8Text },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
);
const event = (messages: fc.Arbitrary<string>) =>
  fc.record({
    tag: fc.stringMatching(TAG_PATTERN, { size: 'small' }).filter((t) => t.length <= 1024),
    hostname: fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
    timestamp: fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
    message: messages,
  });

/** What the receiver can see of a JS string: its UTF-8 bytes decoded again (a lone surrogate becomes U+FFFD). */
const asSent = (message: string | Uint8Array) => (typeof message === 'string' ? Buffer.from(message, 'utf8') : Buffer.from(message)).toString('utf8');

function parseStream(bytes: Buffer) {
  const parser = new FrameParser();
  const pushed = parser.push(bytes);
  const ended = parser.end();
  return { events: [...pushed.events, ...ended.events], errors: pushed.errors + ended.errors };
}

/** The frame's one line, or its octet count and the record after it. */
function assertSelfDelimiting(frame: Buffer): void {
  assert.equal(frame.at(-1), 0x0a, 'every frame ends with LF');
  const counted = /^(\d+) /.exec(frame.subarray(0, 12).toString('latin1'));
  if (counted) {
    assert.equal(frame.length - counted[0].length, Number(counted[1]), 'the octet count is the exact byte length of the record');
  } else {
    assert.equal(frame.indexOf(0x0a), frame.length - 1, 'a plain line holds no other LF');
    assert.equal(frame.indexOf(0x0d), -1, 'nor a CR');
    assert.equal(frame.indexOf(0x00), -1, 'nor a NUL');
  }
}

describe('syslog framing of hostile records', () => {
  it('a frame never holds a raw line break that would split it, and parses back to the message as sent', () => {
    fc.assert(
      fc.property(event(message), (e) => {
        const frame = frameEvent(e);
        assertSelfDelimiting(frame);
        const { events, errors } = parseStream(frame);
        assert.equal(errors, 0);
        assert.deepEqual(events.map((p) => [p.tag, p.hostname, p.message]), [[e.tag, e.hostname, asSent(e.message)]]);
      }),
      { numRuns: RUNS.pure },
    );
  });

  it('a message given as its UTF-8 bytes (as the sender unpacks pages) frames byte for byte as the same text', () => {
    fc.assert(
      fc.property(event(message), (e) => {
        assert.deepEqual(frameEvent({ ...e, message: Buffer.from(e.message, 'utf8') }), frameEvent(e));
      }),
      { numRuns: RUNS.pure },
    );
  });

  it('a stream of frames parses into exactly the events framed, in order, whatever their content', () => {
    fc.assert(
      fc.property(fc.array(event(message), { maxLength: 15 }), (events) => {
        const { events: parsed, errors } = parseStream(Buffer.concat(events.map((e) => frameEvent(e))));
        assert.equal(errors, 0);
        assert.deepEqual(parsed.map((p) => p.message), events.map((e) => asSent(e.message)));
      }),
      { numRuns: RUNS.pure },
    );
  });

  it('frameBatch never emits a frame over the limit, and accounts for every event once', () => {
    fc.assert(
      fc.property(fc.array(event(message), { maxLength: 10 }), fc.integer({ min: 60, max: 400 }), (events, maxEventBytes) => {
        const { frames, oversize, bytes } = frameBatch(events, { maxEventBytes });
        assert.ok(frames.every((f) => f.length <= maxEventBytes));
        assert.equal(frames.length + oversize.length, events.length);
        assert.equal(bytes, frames.reduce((sum, f) => sum + f.length, 0));
        const kept = events.filter((_, i) => !oversize.some((o) => o.index === i));
        assert.deepEqual(parseStream(Buffer.concat(frames)).events.map((p) => p.message), kept.map((e) => asSent(e.message)));
      }),
      { numRuns: RUNS.pure },
    );
  });

  it('a multi-MiB message is framed whole (counted when it has line breaks) and left out by the default 256 KiB limit', () => {
    fc.assert(
      fc.property(event(hugeString), (e: SyslogEvent) => {
        const frame = frameEvent(e);
        assertSelfDelimiting(frame);
        assert.equal(parseStream(frame).events[0]?.message, asSent(e.message));
        const batch = frameBatch([e]);
        assert.deepEqual([batch.frames.length, batch.oversize], [0, [{ index: 0, bytes: frame.length }]]);
      }),
      { numRuns: 5 },
    );
  });
});
