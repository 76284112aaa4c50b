import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificateSet, loadOrCreateCertificateSet, writeCertificateSet } from '../../devo/certificates.js';
import { testCertificates } from '../helpers/certificates.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const OPENSSL = ['/usr/bin/openssl', '/usr/local/bin/openssl'].find((p) => existsSync(p));

describe('throwaway certificate sets', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'devo-certs-'));
    dirs.push(dir);
    return dir;
  };

  it('a CA signs a server certificate for localhost, 127.0.0.1 and ::1 and a client certificate for clientAuth, RSA 2048 with SHA-256', async () => {
    const set = await testCertificates();
    const ca = new X509Certificate(set.caCert);
    const server = new X509Certificate(set.serverCert);
    const client = new X509Certificate(set.clientCert);
    assert.ok(ca.ca && !server.ca && !client.ca);
    assert.ok(server.verify(ca.publicKey) && client.verify(ca.publicKey) && server.checkIssued(ca));
    assert.equal(server.checkHost('localhost'), 'localhost');
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(server.checkIP('::1'), '::1');
    assert.deepEqual(server.keyUsage, [SERVER_AUTH]);
    assert.deepEqual(client.keyUsage, [CLIENT_AUTH]);
    for (const cert of [ca, server, client]) assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.ok(server.checkPrivateKey(createPrivateKey(set.serverKey)) && client.checkPrivateKey(createPrivateKey(set.clientKey)));
    assert.match(set.serverKey, /^-----BEGIN RSA PRIVATE KEY-----/, 'PKCS#1, the form GnuTLS reads without fuss');
  });

  it('OpenSSL verifies them for their purposes, with SHA-256 signatures', { skip: OPENSSL ? false : 'openssl not installed' }, async () => {
    const dir = tempDir();
    const paths = await writeCertificateSet(await testCertificates(), dir);
    const verify = (purpose: string, cert: string) => execFileSync(OPENSSL!, ['verify', '-purpose', purpose, '-CAfile', paths.caCert, cert], { encoding: 'utf8' });
    assert.match(verify('sslserver', paths.serverCert), /: OK/);
    assert.match(verify('sslclient', paths.clientCert), /: OK/);
    assert.match(execFileSync(OPENSSL!, ['x509', '-in', paths.serverCert, '-noout', '-text'], { encoding: 'utf8' }), /sha256WithRSAEncryption/);
  });

  it('takes other hostnames, a CA name and a validity', async () => {
    const set = await generateCertificateSet({ commonName: 'Test CA', hostnames: ['collector.test', '10.1.2.3'], days: 3 });
    const server = new X509Certificate(set.serverCert);
    assert.equal(server.checkHost('collector.test'), 'collector.test');
    assert.equal(server.checkIP('10.1.2.3'), '10.1.2.3');
    assert.equal(server.checkHost('localhost'), undefined);
    assert.match(new X509Certificate(set.caCert).subject, /CN=Test CA/);
    const days = (Date.parse(server.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 2.9 && days <= 3, String(days));
  });

  it('writes ca.pem, server.pem, server.key, client.pem, client.key with the keys readable by the owner only', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'client.key'), 'old', { mode: 0o644 }); // an existing file keeps its mode unless reset
    const set = await testCertificates();
    const paths = await writeCertificateSet(set, dir);
    assert.deepEqual(paths, { caCert: join(dir, 'ca.pem'), serverCert: join(dir, 'server.pem'), serverKey: join(dir, 'server.key'), clientCert: join(dir, 'client.pem'), clientKey: join(dir, 'client.key') });
    assert.equal(statSync(paths.clientKey).mode & 0o777, 0o600);
    assert.equal(statSync(paths.serverKey).mode & 0o777, 0o600);
    assert.equal(statSync(paths.caCert).mode & 0o777, 0o644);
    assert.equal(readFileSync(paths.clientKey, 'utf8'), set.clientKey);
  });

  it('loadOrCreateCertificateSet creates once, then reuses; it replaces an incomplete or nearly expired set', async () => {
    const dir = tempDir();
    const first = await loadOrCreateCertificateSet(dir);
    const again = await loadOrCreateCertificateSet(dir);
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.deepEqual(again.set, first.set);

    unlinkSync(first.paths.clientKey);
    const afterLoss = await loadOrCreateCertificateSet(dir);
    assert.equal(afterLoss.created, true);
    assert.notEqual(afterLoss.set.caCert, first.set.caCert);

    await writeCertificateSet(await generateCertificateSet({ days: 0.5 }), dir);
    assert.equal((await loadOrCreateCertificateSet(dir)).created, true, 'valid for less than a day: replaced');
  });
});
