import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { SignJWT } from 'jose';
import { environmentCredential } from '../../config/credentials.js';
import { FEDERATION_AUDIENCE } from '../../emulator/microsoft-365/client-assertions.js';
import type { ClientCredential } from '../../microsoft/client-credential.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { OPERATOR_HINTS } from '../../contracts/failure-types.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { appCertificate } from '../helpers/certificates.js';
import { collectorFixture, type CollectorFixture } from '../helpers/collector-fixture.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';

const MIN = 60_000;
const PASSWORD = 'pfx-style password 24';

/** The worker's credential as config/ reads it from the environment (file, password, key check). */
function credentialFrom(own: Record<string, string>): ClientCredential {
  const resolved = environmentCredential(own, { read: true, required: true });
  assert.deepEqual(resolved.lines, []);
  assert.ok(resolved.credential);
  return resolved.credential;
}

function writeTemp(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'o365-credentials-')), name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** Runs a collector from `start` until caught up; returns the status and the full history. */
async function collect(f: CollectorFixture, start: number) {
  return f.worker.runUntil(async () => {
    const handle = await f.start({ start: iso(start) });
    const status = await f.waitForStatus(handle, (s) => s.caughtUp);
    await handle.terminate('test done');
    return { status, history: historyToJSON(await handle.fetchHistory()) };
  });
}

function assertExactlyOnce(f: CollectorFixture, start: number, cursor: string): void {
  const expected = graphTruth(f.emulator, start, Date.parse(cursor));
  assert.ok(expected.length >= 500, `${expected.length} records in range`);
  const account = accountFor(f.delivered(), expected);
  assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length, account.altered.length], [0, 0, 0, 0], summary(account));
}

describe('collecting with certificate and federated credentials on a real Temporal dev server', () => {
  it('a certificate with an encrypted key collects every record exactly once; status shows its end and warns 30 days out; no key in history', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 60 * MIN, 5 * MIN);
    const app = await appCertificate({ days: 20, password: PASSWORD });
    const credential = credentialFrom({ O365_CLIENT_CERTIFICATE_FILE: writeTemp('app.pem', app.pem), O365_CLIENT_CERTIFICATE_PASSWORD: PASSWORD });
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 3000, startMs: start - 10 * MIN, endMs: now }), clientCertificates: [app.certificatePem] }, 'graph', {}, { microsoft: { credential, clientSecret: 'not-registered-in-the-emulator' } });
    const { status, history } = await collect(f, start);
    assertExactlyOnce(f, start, status.cursor);
    assert.equal(status.lastError, undefined);
    assert.equal(f.emulator.stats().requests['token 200'], status.totals.tokenFetches, 'every token came from an assertion');
    assert.equal(status.credential?.kind, 'certificate');
    assert.equal(status.credential?.setting, 'O365_CLIENT_CERTIFICATE_FILE');
    assert.equal(status.credential?.expiresAt, new Date(Math.floor(app.notAfter.getTime() / 1000) * 1000).toISOString());
    assert.ok(status.credential?.daysLeft === 19 || status.credential?.daysLeft === 20, `${status.credential?.daysLeft} days left`);
    assert.match(status.credential?.warning ?? '', /the client certificate of O365_CLIENT_CERTIFICATE_FILE expires at .* \(\d+ days left\): create a new one/);
    for (const line of app.keyPem.split('\n').filter((l) => l.length === 64).slice(1, 4)) assert.ok(!history.includes(line), 'no private key line in history');
    assert.ok(!history.includes(PASSWORD), 'no key password in history');
  });

  it('a federated token file collects every record exactly once', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 60 * MIN, 5 * MIN);
    const issuer = 'https://kubernetes.default.svc.cluster.local';
    const subject = 'system:serviceaccount:o365:collector';
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setIssuer(issuer).setSubject(subject).setAudience(FEDERATION_AUDIENCE).setIssuedAt().setExpirationTime('1h').sign(keys.privateKey);
    const tokenFile = writeTemp('token', token);
    const credential = credentialFrom({ O365_FEDERATED_TOKEN_FILE: tokenFile });
    const federatedCredentials = [{ issuer, subject, publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() }];
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 3000, startMs: start - 10 * MIN, endMs: now }), federatedCredentials }, 'graph', {}, { microsoft: { credential, clientSecret: 'not-registered-in-the-emulator' } });
    const { status, history } = await collect(f, start);
    assertExactlyOnce(f, start, status.cursor);
    assert.equal(status.credential?.kind, 'federated');
    assert.equal(status.credential?.warning, undefined);
    assert.ok(!history.includes(token.split('.')[2]!), 'no federated token in history');
  });

  it('an unregistered certificate blocks with CertificateRejected, AADSTS700027 and the hint in status; registering it lets the collector finish, every record once', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 30 * MIN, 5 * MIN);
    const app = await appCertificate();
    const credential = credentialFrom({ O365_CLIENT_CERTIFICATE_FILE: writeTemp('app.pem', app.pem) });
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 2000, startMs: start - 10 * MIN, endMs: now }) }, 'graph', {}, { microsoft: { credential } });
    const status = await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start) });
      const blocked = await f.waitForStatus(handle, (s) => s.lastError?.type === 'CertificateRejected');
      assert.match(blocked.lastError!.message, /AADSTS700027: Entra ID refused the client certificate of O365_CLIENT_CERTIFICATE_FILE/);
      assert.equal(blocked.lastError!.hint, OPERATOR_HINTS.CertificateRejected);
      f.emulator.registerCertificate(app.certificatePem);
      const caughtUp = await f.waitForStatus(handle, (s) => s.caughtUp);
      await handle.terminate('test done');
      return caughtUp;
    });
    assertExactlyOnce(f, start, status.cursor);
    assert.equal(status.lastError, undefined);
  });

  it('an expired certificate is refused before Microsoft is asked, with CredentialExpired naming the setting and the renewal hint', async (t) => {
    const now = Date.now();
    const app = await appCertificate({ days: -0.01 });
    const credential = credentialFrom({ O365_CLIENT_CERTIFICATE_FILE: writeTemp('app.pem', app.pem) });
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 100, startMs: now - 40 * MIN, endMs: now }), clientCertificates: [app.certificatePem] }, 'graph', {}, { microsoft: { credential } });
    const status = await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(alignDown(now - 30 * MIN, 5 * MIN)) });
      const blocked = await f.waitForStatus(handle, (s) => s.lastError?.type === 'CredentialExpired');
      await handle.terminate('test done');
      return blocked;
    });
    assert.match(status.lastError!.message, /the client certificate of O365_CLIENT_CERTIFICATE_FILE \(CN=o365-trace test app\) expired at /);
    assert.equal(status.lastError!.hint, OPERATOR_HINTS.CredentialExpired);
    assert.equal(f.emulator.stats().requests['token 200'] ?? 0, 0);
    assert.equal(Object.keys(f.emulator.stats().requests).filter((k) => k.startsWith('token')).length, 0, 'Microsoft was never asked');
  });
});
