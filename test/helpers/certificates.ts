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
