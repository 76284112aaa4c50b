import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/schema.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
// Relay transport: no Devo certificate files to provide.
const worker = { O365_TENANT_ID: 't', O365_CLIENT_ID: 'c', DEVO_TRANSPORT: 'relay', PAYLOAD_KEY: KEY };

function secretsDir(t: { after: (fn: () => void) => void }): (name: string, content: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'o365-secrets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
}

function errorsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, 'worker');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.lines;
  }
  return [];
}

describe('secrets from files', () => {
  it('reads the client secret, the Devo HTTP token and the codec server token from their _FILE variables, without the trailing newline', (t) => {
    const file = secretsDir(t);
    const config = loadConfig({
      ...worker,
      O365_CLIENT_SECRET_FILE: file('client-secret', 'the-secret\n'),
      DEVO_TRANSPORT: 'http',
      DEVO_HTTP_URL: 'https://http-eu.devo.io',
      DEVO_DOMAIN: 'acme',
      DEVO_HTTP_TOKEN_FILE: file('devo-token', 'the-devo-token\n'),
      CODEC_SERVER_TOKEN_FILE: file('codec-token', 'the-codec-token'),
    });
    assert.equal(config.microsoft.clientSecret, 'the-secret');
    assert.equal(config.devo.httpToken, 'the-devo-token');
    assert.equal(config.codecServerToken, 'the-codec-token');
  });

  it('counts a secret file as the required setting it stands for', (t) => {
    const file = secretsDir(t);
    assert.deepEqual(errorsOf({ ...worker, O365_CLIENT_SECRET_FILE: file('s', 'x') }), []);
    const http = { ...worker, O365_CLIENT_SECRET: 's', DEVO_TRANSPORT: 'http', DEVO_HTTP_URL: 'https://http-eu.devo.io', DEVO_DOMAIN: 'acme' };
    assert.deepEqual(errorsOf(http), ['DEVO_HTTP_TOKEN: required for DEVO_TRANSPORT=http']);
    assert.deepEqual(errorsOf({ ...http, DEVO_HTTP_TOKEN_FILE: file('d', 'token') }), []);
  });

  it('lets the codec server start with the payload key alone, its token read from a file', (t) => {
    const file = secretsDir(t);
    const config = loadConfig({ PAYLOAD_KEY_FILE: file('payload-key', `${KEY}\n`), CODEC_SERVER_TOKEN_FILE: file('codec-token', 'the-codec-token\n') }, 'codec');
    assert.equal(config.codecServerToken, 'the-codec-token');
    assert.equal(config.payloadKey?.length, 32);
    assert.throws(() => loadConfig({}, 'codec'), (err: unknown) => err instanceof ConfigError && err.lines.length === 1 && err.lines[0]!.startsWith('PAYLOAD_KEY: required'));
  });

  it('refuses a secret set both directly and by file, naming the variable and not the value', (t) => {
    const file = secretsDir(t);
    const lines = errorsOf({ ...worker, O365_CLIENT_SECRET: 'inline-value', O365_CLIENT_SECRET_FILE: file('s', 'file-value'), CODEC_SERVER_TOKEN: 'a', CODEC_SERVER_TOKEN_FILE: file('c', 'b') });
    assert.deepEqual(lines, [
      'O365_CLIENT_SECRET_FILE: set either O365_CLIENT_SECRET or O365_CLIENT_SECRET_FILE, not both',
      'CODEC_SERVER_TOKEN_FILE: set either CODEC_SERVER_TOKEN or CODEC_SERVER_TOKEN_FILE, not both',
    ]);
  });

  it('names the variable and the path of a missing, unreadable or empty file, one line each', (t) => {
    const file = secretsDir(t);
    const missing = join(tmpdir(), 'o365-no-such-dir', 'client-secret');
    const empty = file('empty', '\n');
    const lines = errorsOf({ ...worker, O365_CLIENT_SECRET_FILE: missing, CODEC_SERVER_TOKEN_FILE: empty });
    assert.deepEqual(lines, [`O365_CLIENT_SECRET_FILE: cannot read ${missing} (ENOENT)`, `CODEC_SERVER_TOKEN_FILE: ${empty} is empty`]);

    if (process.getuid?.() === 0) return t.diagnostic('running as root: file modes do not stop reading'); // root reads mode-000 files
    const locked = file('locked', 'secret-value');
    chmodSync(locked, 0o000);
    assert.deepEqual(errorsOf({ ...worker, O365_CLIENT_SECRET_FILE: locked }), [`O365_CLIENT_SECRET_FILE: cannot read ${locked} (EACCES)`]);
  });

  it('reports a file path that is a directory without reading anything else', (t) => {
    const file = secretsDir(t);
    const dir = join(file('x', ''), '..');
    const lines = errorsOf({ ...worker, O365_CLIENT_SECRET_FILE: dir });
    assert.deepEqual(lines, [`O365_CLIENT_SECRET_FILE: cannot read ${dir} (EISDIR)`]);
  });
});
