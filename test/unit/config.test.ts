import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/schema.js';
import { formatDuration, parseDuration } from '../../config/durations.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
// The Devo PEM paths must name readable files (checked at start); their content is read only by the sender.
const pemDir = mkdtempSync(join(tmpdir(), 'o365-config-pem-'));
const pem = (name: string) => {
  writeFileSync(join(pemDir, name), 'not parsed here');
  return join(pemDir, name);
};
const complete = {
  O365_TENANT_ID: 't',
  O365_CLIENT_ID: 'c',
  O365_CLIENT_SECRET: 's',
  DEVO_CERT: pem('a.pem'),
  DEVO_KEY: pem('a.key'),
  DEVO_CHAIN: pem('ca.pem'),
  PAYLOAD_KEY: KEY,
};

function errorsOf(env: Record<string, string>, purpose: 'worker' | 'client' | 'run' = 'worker'): string[] {
  try {
    loadConfig(env, purpose);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.lines;
  }
  return [];
}

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(complete);
    assert.equal(config.microsoft.source, 'graph');
    assert.equal(config.microsoft.windowMs, 5 * 60_000);
    assert.equal(config.microsoft.lagMs, 15 * 60_000);
    assert.equal(config.microsoft.pageSize, 1000);
    assert.equal(config.microsoft.graphUrl, 'https://graph.microsoft.com');
    assert.equal(config.devo.tag, 'cloud.office365.messagetracing');
    assert.equal(config.devo.address, 'collector-us.devo.io');
    assert.equal(config.devo.port, 443);
    assert.equal(config.temporal.taskQueue, 'o365-message-trace');
    assert.equal(config.payloadKey?.length, 32);
    assert.equal(config.demo, false);
  });

  it('names every bad setting at once, one line each', () => {
    const { O365_CLIENT_ID: _omitted, ...rest } = complete;
    const lines = errorsOf({ ...rest, O365_WINDOW: 'five minutes', O365_SOURCE: 'ews', DEVO_PORT: '70000' });
    assert.ok(lines.some((l) => l.startsWith('O365_CLIENT_ID: required')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('O365_WINDOW: expected a duration')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('O365_SOURCE:')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('DEVO_PORT:')), lines.join('\n'));
    assert.equal(lines.length, 4, lines.join('\n'));
  });

  it('rejects unknown settings of its own prefixes and ignores everyone else’s', () => {
    assert.deepEqual(errorsOf({ ...complete, O365_WINDOWS: '5m', HOME: '/root' }), ['O365_WINDOWS: unknown setting; did you mean O365_WINDOW? (see docs/configuration.md)']);
  });

  it('checks page size against the source, the window against 10 days, and the payload key length', () => {
    const lines = errorsOf({ ...complete, O365_SOURCE: 'reporting', O365_PAGE_SIZE: '3000', O365_WINDOW: '11d', PAYLOAD_KEY: 'c2hvcnQ=' });
    assert.equal(lines.length, 3, lines.join('\n'));
  });

  it('client commands need the tenant and the payload key, not the workers’ secrets or Devo files', () => {
    const config = loadConfig({ O365_TENANT_ID: 'contoso', PAYLOAD_KEY: KEY }, 'client');
    assert.equal(config.microsoft.tenantId, 'contoso');
    assert.deepEqual(errorsOf({ PAYLOAD_KEY: KEY }, 'client'), ['O365_TENANT_ID: required']);
  });

  it('runs the demo when no Microsoft credential is set, but not when only some are', () => {
    assert.equal(loadConfig({}, 'run').demo, true);
    assert.deepEqual(errorsOf({ O365_TENANT_ID: 't' }, 'run').filter((l) => l.startsWith('O365_')).length, 2);
  });
});

describe('durations', () => {
  it('parses the forms operators write and refuses the rest', () => {
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('7d'), 604_800_000);
    for (const bad of ['', '5', 'm', '5 m', '5x', '-5m', '5m ago']) assert.equal(parseDuration(bad), undefined, bad);
    assert.equal(formatDuration(5_400_000), '1h30m');
  });
});

describe('previous payload keys (PAYLOAD_KEY_PREVIOUS)', () => {
  const current = Buffer.alloc(32, 1).toString('base64');
  const [a, b] = [Buffer.alloc(32, 2), Buffer.alloc(32, 3)];

  it('reads a comma-separated list, or a file of one key a line, for decryption after a rotation', () => {
    const config = loadConfig({ PAYLOAD_KEY: current, PAYLOAD_KEY_PREVIOUS: `${a.toString('base64')}, ${b.toString('base64')}` }, 'codec');
    assert.deepEqual(config.previousPayloadKeys, [a, b]);
    const dir = mkdtempSync(join(tmpdir(), 'o365-keys-'));
    const file = join(dir, 'previous');
    writeFileSync(file, `${a.toString('base64')}\n${b.toString('base64')}\n`, { mode: 0o600 });
    assert.deepEqual(loadConfig({ PAYLOAD_KEY: current, PAYLOAD_KEY_PREVIOUS_FILE: file }, 'codec').previousPayloadKeys, [a, b]);
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(loadConfig({ PAYLOAD_KEY: current }, 'codec').previousPayloadKeys, []);
  });

  it('names a wrong key by its position, never by its value', () => {
    const wrong = Buffer.from('not-a-key-value').toString('base64');
    assert.throws(
      () => loadConfig({ PAYLOAD_KEY: current, PAYLOAD_KEY_PREVIOUS: `${a.toString('base64')},${wrong}` }, 'codec'),
      (err: unknown) => err instanceof ConfigError && err.lines.length === 1 && err.lines[0]!.startsWith('PAYLOAD_KEY_PREVIOUS: ') && err.lines[0]!.includes('#2 has 15 bytes') && !err.lines[0]!.includes(wrong),
    );
  });
});
