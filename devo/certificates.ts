import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

/**
 * A throwaway PKI for the local Devo receiver, the demo and the tests: a CA, a server certificate it
 * signed (what the receiver presents) and a client certificate it signed (what the collector presents,
 * as Devo's collector endpoints require mutual TLS). PEM texts.
 */
export interface CertificateSet {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** The files writeCertificateSet wrote, by the same names as the set's fields. */
export type CertificatePaths = { readonly [K in keyof CertificateSet]: string };

/** Options of generateCertificateSet. */
export interface CertificateOptions {
  /** The CA's common name @default 'o365-trace throwaway CA' */
  readonly commonName?: string;
  /** DNS names and IP addresses the server certificate is valid for @default ['localhost', '127.0.0.1', '::1'] */
  readonly hostnames?: string[];
  /** Validity in days, from an hour ago (clock skew) @default 825 */
  readonly days?: number;
}

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

// RSA 2048 with SHA-256: what Node's OpenSSL and rsyslog's GnuTLS both accept without tuning.
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

/** Generates a fresh set; about a second of RSA key generation. */
export async function generateCertificateSet(options: CertificateOptions = {}): Promise<CertificateSet> {
  const hostnames = options.hostnames ?? ['localhost', '127.0.0.1', '::1'];
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(Date.now() + (options.days ?? 825) * 86_400_000);
  const caKeys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${options.commonName ?? 'o365-trace throwaway CA'}`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leaf = async (commonName: string, usage: string, sans: x509.JsonGeneralName[]) => {
    const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${commonName}`,
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: RSA,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(ca),
        ...(sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : []),
      ],
    });
    return { cert: `${cert.toString('pem')}\n`, key: await keyPem(keys.privateKey) };
  };
  const sans = hostnames.map((h): x509.JsonGeneralName => (isIP(h) ? { type: 'ip', value: h } : { type: 'dns', value: h }));
  const server = await leaf(hostnames.find((h) => !isIP(h)) ?? hostnames[0] ?? 'localhost', x509.ExtendedKeyUsage.serverAuth, sans);
  const client = await leaf('o365-trace collector', x509.ExtendedKeyUsage.clientAuth, []);
  return { caCert: `${ca.toString('pem')}\n`, serverCert: server.cert, serverKey: server.key, clientCert: client.cert, clientKey: client.key };
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // DER INTEGER: keep it positive
  return bytes.toString('hex');
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  // PKCS#1 "RSA PRIVATE KEY" is the form every TLS stack, GnuTLS included, reads without fuss.
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'pem' }).toString();
}

const FILES: CertificatePaths = { caCert: 'ca.pem', serverCert: 'server.pem', serverKey: 'server.key', clientCert: 'client.pem', clientKey: 'client.key' };
const FIELDS = Object.keys(FILES) as (keyof CertificateSet)[];

function pathsIn(dir: string): CertificatePaths {
  return Object.fromEntries(FIELDS.map((field) => [field, join(dir, FILES[field])])) as CertificatePaths;
}

/** Writes the set to `dir` as ca.pem, server.pem, server.key, client.pem, client.key; keys are mode 0600. */
export async function writeCertificateSet(set: CertificateSet, dir: string): Promise<CertificatePaths> {
  await mkdir(dir, { recursive: true });
  const paths = pathsIn(dir);
  for (const field of FIELDS) {
    const mode = field.endsWith('Key') ? 0o600 : 0o644;
    await writeFile(paths[field], set[field], { mode });
    await chmod(paths[field], mode); // `mode` applies only when the file is created
  }
  return paths;
}

/**
 * Reuses the set in `dir` when all five files are there and the certificates are still valid for a
 * day; otherwise generates a new set and writes it (`created: true`).
 */
export async function loadOrCreateCertificateSet(dir: string, options: CertificateOptions = {}): Promise<{ set: CertificateSet; paths: CertificatePaths; created: boolean }> {
  const paths = pathsIn(dir);
  const existing = await readSet(paths);
  if (existing) return { set: existing, paths, created: false };
  const set = await generateCertificateSet(options);
  return { set, paths: await writeCertificateSet(set, dir), created: true };
}

async function readSet(paths: CertificatePaths): Promise<CertificateSet | undefined> {
  try {
    const entries = await Promise.all(FIELDS.map(async (field) => [field, await readFile(paths[field], 'utf8')] as const));
    const set = Object.fromEntries(entries) as unknown as CertificateSet;
    const soon = Date.now() + 86_400_000;
    const valid = [set.caCert, set.serverCert, set.clientCert].every((pem) => Date.parse(new X509Certificate(pem).validTo) > soon);
    return valid ? set : undefined;
  } catch {
    return undefined; // missing or unreadable: a fresh set replaces it
  }
}
