import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DevoInvalidEvent } from '../../devo/errors.js';
import { DEFAULT_MAX_EVENT_BYTES, frameBatch, frameEvent } from '../../devo/framing.js';

const TAG = 'cloud.office365.messagetracing';
const AT = Date.UTC(2026, 10, 24, 9, 5, 7, 45); // 2026-11-24 09:05:07.045 UTC

describe('Devo syslog framing', () => {
  it('frames one event byte for byte as the Collector SDK does: <14>, UTC millisecond timestamp, host, tag, ": ", message, LF', () => {
    const frame = frameEvent({ tag: TAG, hostname: 'collector-1', timestamp: AT, message: '{"id":"a"}' });
    assert.equal(frame.toString('latin1'), '<14>2026-11-24 09:05:07.045 collector-1 cloud.office365.messagetracing: {"id":"a"}\n');
  });

  it('takes a Date as well as epoch milliseconds, and always renders UTC', () => {
    const a = frameEvent({ tag: TAG, hostname: 'h', timestamp: new Date('2026-01-02T03:04:05.006+02:00'), message: 'x' });
    assert.equal(a.toString(), '<14>2026-01-02 01:04:05.006 h cloud.office365.messagetracing: x\n');
  });

  it('renders every millisecond of years 0 to 9999 as Date does, whichever event came before (the header reuses the last second)', () => {
    const time = fc.oneof(fc.integer({ min: Date.UTC(0, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), fc.double({ min: -1e5, max: 1e5, noNaN: true }));
    fc.assert(
      fc.property(fc.array(time, { minLength: 1, maxLength: 20 }), (times) => {
        for (const ms of times) {
          const expected = new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
          assert.equal(frameEvent({ tag: TAG, hostname: 'h', timestamp: ms, message: 'x' }).toString(), `<14>${expected} h ${TAG}: x\n`, String(ms));
        }
      }),
    );
  });

  it('checks the tag and hostname of every event, also after a valid pair', () => {
    frameEvent({ tag: TAG, hostname: 'h', timestamp: AT, message: 'x' });
    assert.throws(() => frameEvent({ tag: TAG, hostname: 'two words', timestamp: AT, message: 'x' }), DevoInvalidEvent);
    assert.throws(() => frameEvent({ tag: 'bad tag', hostname: 'h', timestamp: AT, message: 'x' }), DevoInvalidEvent);
  });

  it('encodes the message as UTF-8 unchanged: quotes, backslashes, tabs, emoji', () => {
    const message = '{"s":"Übersicht – 四半期 📈 \\"q\\" \\\\ \t end"}';
    const frame = frameEvent({ tag: TAG, hostname: 'h', timestamp: AT, message });
    const prefix = '<14>2026-11-24 09:05:07.045 h cloud.office365.messagetracing: ';
    assert.deepEqual(frame, Buffer.concat([Buffer.from(prefix), Buffer.from(message, 'utf8'), Buffer.from('\n')]));
  });

  it('sends a multi-line message with octet counting: "<len> " then the record, len in bytes including header and LF', () => {
    const record = '<14>2026-11-24 09:05:07.045 h my.app.x: line1\nligne 2 é\n';
    const frame = frameEvent({ tag: 'my.app.x', hostname: 'h', timestamp: AT, message: 'line1\nligne 2 é' });
    assert.equal(Buffer.byteLength(record), 57); // "é" is two bytes
    assert.equal(frame.toString('utf8'), `57 ${record}`);
  });

  it('counts octets for a CR or a NUL too, so no line reader can cut or trim the message', () => {
    for (const message of ['a\rb', 'trailing nul\0']) {
      const frame = frameEvent({ tag: TAG, hostname: 'h', timestamp: AT, message });
      const record = `<14>2026-11-24 09:05:07.045 h ${TAG}: ${message}\n`;
      assert.equal(frame.toString('utf8'), `${Buffer.byteLength(record)} ${record}`);
    }
  });

  it('refuses a tag that would break the header or is not a Devo tag, naming it', () => {
    for (const tag of ['', 'single', 'my app.x', 'my.app:x', 'My.app.x', 'my..app', 'a.b.c.d.e.f.g.h.i.j.k', `my.${'a'.repeat(1030)}`, 'my.app.\n']) {
      assert.throws(() => frameEvent({ tag, hostname: 'h', timestamp: AT, message: 'x' }), (err: unknown) => err instanceof DevoInvalidEvent && /invalid Devo tag/.test(err.message), tag);
    }
    for (const tag of ['my.app', 'box.stat.unix.dstat-lt1', 'box.win_winlogbeat.securityMitigations', TAG]) {
      assert.doesNotThrow(() => frameEvent({ tag, hostname: 'h', timestamp: AT, message: 'x' }));
    }
  });

  it('refuses a hostname with spaces or control characters, and a timestamp that is not a date', () => {
    for (const hostname of ['', 'two words', 'tab\there', 'new\nline', 'x'.repeat(256)]) {
      assert.throws(() => frameEvent({ tag: TAG, hostname, timestamp: AT, message: 'x' }), DevoInvalidEvent, JSON.stringify(hostname));
    }
    for (const timestamp of [Number.NaN, new Date('nope'), Date.UTC(10_000, 0, 1), Date.UTC(-1, 0, 1)]) {
      assert.throws(() => frameEvent({ tag: TAG, hostname: 'h', timestamp, message: 'x' }), DevoInvalidEvent, String(timestamp));
    }
  });

  it('never puts record contents in an error message', () => {
    const err = (() => {
      try {
        frameEvent({ tag: 'bad tag', hostname: 'h', timestamp: AT, message: 'secret-record-content' });
      } catch (e) {
        return e as Error;
      }
    })();
    assert.ok(err && !err.message.includes('secret-record-content'));
  });

  it('frameBatch leaves out and reports every event whose frame exceeds maxEventBytes, never cutting one', () => {
    const events = [10, 300, 20, 5000, 30].map((n, i) => ({ tag: TAG, hostname: 'h', timestamp: AT, message: `${i}:${'x'.repeat(n)}` }));
    const max = 400;
    const { frames, bytes, oversize } = frameBatch(events, { maxEventBytes: max });
    const expected = events.map((e) => frameEvent(e));
    assert.deepEqual(frames, [expected[0], expected[1], expected[2], expected[4]]);
    assert.equal(bytes, frames.reduce((sum, f) => sum + f.length, 0));
    assert.deepEqual(oversize, [{ index: 3, bytes: expected[3]!.length }]);
  });

  it('frameBatch caps at 256 KiB by default, counting the whole frame', () => {
    const header = frameEvent({ tag: TAG, hostname: 'h', timestamp: AT, message: '' }).length; // includes the LF
    const fits = { tag: TAG, hostname: 'h', timestamp: AT, message: 'y'.repeat(DEFAULT_MAX_EVENT_BYTES - header) };
    const over = { ...fits, message: `${fits.message}y` };
    const result = frameBatch([fits, over]);
    assert.equal(result.frames.length, 1);
    assert.equal(result.frames[0]!.length, DEFAULT_MAX_EVENT_BYTES);
    assert.deepEqual(result.oversize, [{ index: 1, bytes: DEFAULT_MAX_EVENT_BYTES + 1 }]);
  });
});
