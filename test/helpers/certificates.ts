import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { generateCertificateSet, type CertificateSet } from '../../devo/certificates.js';

let shared: Promise<CertificateSet> | undefined;
let foreign: Promise<CertificateSet> | undefined;

/** The test CA's certificate set, generated once per test file (RSA generation takes a moment). */
export function testCertificates(): Promise<CertificateSet> {
  shared ??= generateCertificateSet();
  return shared;
}

/** A second, unrelated CA's set: its client certificate must be refused by the first CA's receiver. */
export function foreignCertificates(): Promise<CertificateSet> {
  foreign ??= generateCertificateSet({ commonName: 'some other CA' });
  return foreign;
}

/** An app registration's certificate: the PEM the collector reads (certificate and key) and the public part Entra holds. */
export interface AppCertificate {
  /** Certificate then private key, as O365_CLIENT_CERTIFICATE_FILE holds them (the key encrypted when a password was given). */
  readonly pem: string;
  readonly certificatePem: string;
  /** The private key alone (PKCS#8 PEM, unencrypted), for signing assertions by hand and for leak checks. */
  readonly keyPem: string;
  readonly notAfter: Date;
}

/** A self-signed RSA certificate for an app registration, valid from an hour ago for `days`. */
export async function appCertificate(options: { days?: number; password?: string; commonName?: string } = {}): Promise<AppCertificate> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const notAfter = new Date(Date.now() + (options.days ?? 365) * 86_400_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'),
    name: `CN=${options.commonName ?? 'o365-trace test app'}`,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter,
    keys,
    signingAlgorithm: alg,
  });
  const key = createPrivateKey({ key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), format: 'der', type: 'pkcs8' });
  const keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const stored = options.password === undefined ? keyPem : key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: options.password }).toString();
  const certificatePem = cert.toString('pem');
  return { pem: `${certificatePem}\n${stored}`, certificatePem, keyPem, notAfter };
}
