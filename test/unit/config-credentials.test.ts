import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, type ConfigPurpose } from '../../config/schema.js';
import { appCertificate } from '../helpers/certificates.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
// Relay transport: no Devo certificate files to provide.
const worker = { O365_TENANT_ID: 't', O365_CLIENT_ID: 'c', DEVO_TRANSPORT: 'relay', PAYLOAD_KEY: KEY };

function files(t: { after: (fn: () => void) => void }): (name: string, content: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'o365-credentials-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
}

function errorsOf(env: Record<string, string>, purpose: ConfigPurpose = 'worker'): string[] {
  try {
    loadConfig(env, purpose);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.lines;
  }
  return [];
}

describe('exactly one app credential', () => {
  it('a worker reads the certificate file (key opened with its password) and the federated token file path; the client secret stays unused', async (t) => {
    const file = files(t);
    const app = await appCertificate({ password: 'pw' });
    const certificate = loadConfig({ ...worker, O365_CLIENT_CERTIFICATE_FILE: file('app.pem', app.pem), O365_CLIENT_CERTIFICATE_PASSWORD_FILE: file('pw', 'pw\n') }, 'worker');
    assert.equal(certificate.microsoft.credential?.kind, 'certificate');
    assert.equal(certificate.microsoft.credential?.setting, 'O365_CLIENT_CERTIFICATE_FILE');
    const federated = loadConfig({ ...worker, O365_FEDERATED_TOKEN_FILE: file('token', 'eyJ.x.y') }, 'worker');
    assert.deepEqual(federated.microsoft.credential, { kind: 'federated', setting: 'O365_FEDERATED_TOKEN_FILE', tokenFile: federated.microsoft.credential?.kind === 'federated' ? federated.microsoft.credential.tokenFile : '' });
    assert.equal(loadConfig({ ...worker, O365_CLIENT_SECRET: 's' }, 'worker').microsoft.credential, undefined);
  });

  it('two credentials are one line naming both, beside every other bad setting', async (t) => {
    const file = files(t);
    const pem = file('app.pem', (await appCertificate()).pem);
    assert.deepEqual(errorsOf({ ...worker, O365_CLIENT_SECRET: 's', O365_CLIENT_CERTIFICATE_FILE: pem, O365_PAGE_SIZE: '0' }).sort(), [
      'O365_CLIENT_CERTIFICATE_FILE: set exactly one credential; O365_CLIENT_SECRET and O365_CLIENT_CERTIFICATE_FILE are both set',
      "O365_PAGE_SIZE: expected a whole number from 1 to 5000, got '0'",
    ]);
    assert.deepEqual(errorsOf({ ...worker, O365_CLIENT_SECRET_FILE: file('s', 's'), O365_FEDERATED_TOKEN_FILE: file('token', 'x') }), [
      'O365_FEDERATED_TOKEN_FILE: set exactly one credential; O365_CLIENT_SECRET_FILE and O365_FEDERATED_TOKEN_FILE are both set',
    ]);
    assert.deepEqual(errorsOf({ ...worker, O365_CLIENT_CERTIFICATE_FILE: pem, O365_FEDERATED_TOKEN_FILE: file('token', 'x') }), [
      'O365_FEDERATED_TOKEN_FILE: set exactly one credential; O365_CLIENT_CERTIFICATE_FILE and O365_FEDERATED_TOKEN_FILE are both set',
    ]);
  });

  it('no credential, an unreadable file, a wrong password or a key without its certificate: one line each, never the key', async (t) => {
    const file = files(t);
    const app = await appCertificate({ password: 'right' });
    assert.deepEqual(errorsOf(worker), ['O365_CLIENT_SECRET: required, or O365_CLIENT_CERTIFICATE_FILE, or O365_FEDERATED_TOKEN_FILE (exactly one credential)']);
    assert.deepEqual(errorsOf({ ...worker, O365_FEDERATED_TOKEN_FILE: '/nonexistent/token' }), ['O365_FEDERATED_TOKEN_FILE: cannot read /nonexistent/token (ENOENT)']);
    const encrypted = file('app.pem', app.pem);
    const [wrong] = errorsOf({ ...worker, O365_CLIENT_CERTIFICATE_FILE: encrypted, O365_CLIENT_CERTIFICATE_PASSWORD: 'wrong' });
    assert.match(wrong!, /^O365_CLIENT_CERTIFICATE_FILE: .*app\.pem: the private key is encrypted and the password does not open it/);
    const keyOnly = file('key.pem', app.keyPem);
    assert.deepEqual(errorsOf({ ...worker, O365_CLIENT_CERTIFICATE_FILE: keyOnly }), [`O365_CLIENT_CERTIFICATE_FILE: ${keyOnly}: no CERTIFICATE block (expected PEM with the certificate and its private key)`]);
    assert.deepEqual(errorsOf({ ...worker, O365_CLIENT_SECRET: 's', O365_CLIENT_CERTIFICATE_PASSWORD: 'x' }), ['O365_CLIENT_CERTIFICATE_PASSWORD: set without O365_CLIENT_CERTIFICATE_FILE']);
  });

  it('client commands never read the private key, and the demo still runs with no credential at all', async () => {
    const client = loadConfig({ O365_TENANT_ID: 't', PAYLOAD_KEY: KEY, O365_CLIENT_CERTIFICATE_FILE: '/nonexistent/app.pem' }, 'client');
    assert.equal(client.microsoft.credential, undefined);
    assert.equal(loadConfig({}, 'run').demo, true);
    assert.equal(loadConfig({ O365_TENANT_ID: 't', O365_CLIENT_ID: 'c', O365_FEDERATED_TOKEN_FILE: '/nonexistent', PAYLOAD_KEY: KEY }, 'client').demo, false);
    assert.match(errorsOf({ O365_TENANT_ID: 't', O365_CLIENT_ID: 'c', O365_FEDERATED_TOKEN_FILE: '/nonexistent' }, 'run').join('\n'), /O365_FEDERATED_TOKEN_FILE: cannot read/, 'a credential set means no demo');
  });
});
