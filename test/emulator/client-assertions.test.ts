import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { clientAssertionFor, type ClientCredential } from '../../microsoft/client-credential.js';
import { JWT_BEARER, parseClientCertificate, signClientAssertion } from '../../microsoft/client-assertion.js';
import { ClientAssertionRejectedError } from '../../microsoft/errors.js';
import { requestToken, type TokenRequest } from '../../microsoft/token.js';
import { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../activities/failures.js';
import { FailureType, OPERATOR_HINTS } from '../../contracts/failure-types.js';
import { FEDERATION_AUDIENCE } from '../../emulator/microsoft-365/client-assertions.js';
import { appCertificate } from '../helpers/certificates.js';
import { CLIENT_ID, startTestEmulator, tokenRequest, type Answer } from '../fixtures/microsoft/emulator-fixture.js';
import type { MicrosoftEmulator } from '../../emulator/microsoft-365/index.js';

const MIN = 60_000;
const TENANT = 'contoso-tenant';
const dataset = { seed: 3, records: 10, startMs: Date.now() - 60 * MIN, endMs: Date.now(), visibility: { kind: 'immediate' as const } };

const tokenUrl = (emulator: MicrosoftEmulator, version: 'v1' | 'v2') => `${emulator.url}/${TENANT}/oauth2/${version === 'v2' ? 'v2.0/' : ''}token`;
const assertionForm = (assertion: string, emulator: MicrosoftEmulator) => ({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_assertion_type: JWT_BEARER, client_assertion: assertion, scope: `${emulator.url}/.default` });
const aadstsOf = (answer: Answer): string | undefined => /^AADSTS\d+/.exec(String(answer.body?.error_description))?.[0];

const baseRequest = (emulator: MicrosoftEmulator): TokenRequest => ({ loginUrl: emulator.url, graphUrl: emulator.url, tenantId: TENANT, clientId: CLIENT_ID, clientSecret: 'never-sent', source: 'graph' });

/** The collector's own token request for a credential, against the emulator. */
function collectorRequest(emulator: MicrosoftEmulator, credential: ClientCredential, source: 'graph' | 'reporting' = 'graph'): Promise<unknown> {
  const request: TokenRequest = {
    loginUrl: emulator.url,
    graphUrl: emulator.url,
    tenantId: TENANT,
    clientId: CLIENT_ID,
    clientSecret: 'never-sent',
    source,
    clientAssertion: clientAssertionFor(credential, CLIENT_ID, Date.now()),
  };
  return requestToken(request, Date.now());
}

describe('certificate credentials: the collector signs, the emulator verifies as Entra ID does', () => {
  it('the assertion carries PS256, x5t#S256 and x5t of the certificate, aud = the token endpoint, iss = sub = client id, a ten-minute exp and a jti', async () => {
    const app = await appCertificate();
    const certificate = parseClientCertificate(app.pem);
    const now = Date.parse('2026-12-01T10:00:00Z');
    const jwt = await signClientAssertion(certificate, { clientId: CLIENT_ID, tokenUrl: 'https://login.microsoftonline.com/t/oauth2/v2.0/token', nowMs: now });
    const header = decodeProtectedHeader(jwt);
    const claims = decodeJwt(jwt);
    assert.equal(header.alg, 'PS256');
    assert.equal(header['x5t#S256'], certificate.x5tS256);
    assert.equal(header.x5t, certificate.x5t);
    assert.deepEqual({ ...claims, jti: typeof claims.jti }, { iss: CLIENT_ID, sub: CLIENT_ID, aud: 'https://login.microsoftonline.com/t/oauth2/v2.0/token', jti: 'string', iat: now / 1000, nbf: now / 1000, exp: now / 1000 + 600 });
    const again = decodeJwt(await signClientAssertion(certificate, { clientId: CLIENT_ID, tokenUrl: 'x', nowMs: now }));
    assert.notEqual(again.jti, claims.jti, 'every assertion has its own jti');
    assert.equal(certificate.notAfterMs, Math.floor(app.notAfter.getTime() / 1000) * 1000);
  });

  it('an encrypted key opens with its password; a wrong or missing password is refused without quoting the key', async () => {
    const app = await appCertificate({ password: 'correct horse' });
    assert.ok(parseClientCertificate(app.pem, 'correct horse').privateKey);
    for (const password of ['wrong', undefined]) {
      assert.throws(() => parseClientCertificate(app.pem, password), (err: Error) => {
        assert.match(err.message, /the private key is encrypted and (no password is set|the password does not open it)/);
        assert.ok(!err.message.includes(app.keyPem.split('\n')[2]!));
        return true;
      });
    }
    const other = await appCertificate();
    assert.throws(() => parseClientCertificate(`${app.certificatePem}\n${other.keyPem}`), /no certificate in the file matches its private key/);
  });

  it('a registered certificate gets Graph (v2) and Reporting Web Service (v1) tokens', async () => {
    const app = await appCertificate();
    const emulator = await startTestEmulator({ dataset, clientCertificates: [app.certificatePem] });
    const credential: ClientCredential = { kind: 'certificate', setting: 'O365_CLIENT_CERTIFICATE_FILE', certificate: parseClientCertificate(app.pem) };
    for (const source of ['graph', 'reporting'] as const) {
      const token = (await collectorRequest(emulator, credential, source)) as { accessToken: string };
      assert.equal(typeof token.accessToken, 'string', source);
    }
  });

  it('an emulator started from the CLI registers a certificate and a federated credential over its admin endpoints', async () => {
    const app = await appCertificate();
    const emulator = await startTestEmulator({ dataset });
    const credential: ClientCredential = { kind: 'certificate', setting: 'O365_CLIENT_CERTIFICATE_FILE', certificate: parseClientCertificate(app.pem) };
    await assert.rejects(collectorRequest(emulator, credential), /AADSTS700027/);
    assert.equal((await fetch(`${emulator.url}/_emulator/certificates`, { method: 'POST', body: 'not a certificate' })).status, 400);
    assert.equal((await fetch(`${emulator.url}/_emulator/certificates`, { method: 'POST', body: app.certificatePem })).status, 204);
    assert.equal(typeof ((await collectorRequest(emulator, credential)) as { accessToken: string }).accessToken, 'string');
    const federation = { issuer: 'https://issuer.example', subject: 'workload', publicKeyPem: app.certificatePem };
    assert.equal((await fetch(`${emulator.url}/_emulator/federated-credentials`, { method: 'POST', body: JSON.stringify({ ...federation, subject: 7 }) })).status, 400);
    assert.equal((await fetch(`${emulator.url}/_emulator/federated-credentials`, { method: 'POST', body: JSON.stringify(federation) })).status, 204);
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setIssuer(federation.issuer).setSubject('workload').setAudience(FEDERATION_AUDIENCE).setExpirationTime('5m').sign(createPrivateKey(app.keyPem));
    assert.equal((await tokenRequest(emulator, 'v2', assertionForm(token, emulator), TENANT)).status, 200);
  });

  it('each assertion defect is refused with its AADSTS code, and the collector types it as the certificate of its setting', async () => {
    const app = await appCertificate();
    const stranger = await appCertificate({ commonName: 'not registered' });
    const emulator = await startTestEmulator({ dataset, clientCertificates: [app.certificatePem] });
    const certificate = parseClientCertificate(app.pem);
    const now = Date.now();
    const signed = (claims: { aud?: string; iss?: string; sub?: string; nowMs?: number; jti?: string }, key = certificate.privateKey, x5t = certificate.x5tS256) => {
      const at = Math.floor((claims.nowMs ?? now) / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', 'x5t#S256': x5t })
        .setIssuer(claims.iss ?? CLIENT_ID)
        .setSubject(claims.sub ?? CLIENT_ID)
        .setAudience(claims.aud ?? tokenUrl(emulator, 'v2'))
        .setJti(claims.jti ?? randomUUID())
        .setNotBefore(at)
        .setExpirationTime(at + 600)
        .sign(key);
    };
    const strangerKey = createPrivateKey(stranger.keyPem);
    const defects: Array<[string, Promise<string>, string, RegExp]> = [
      ['an unregistered certificate', signed({}, strangerKey, parseClientCertificate(stranger.pem).x5tS256), 'AADSTS700027', /The key was not found/],
      ['a registered thumbprint signed by another key', signed({}, strangerKey), 'AADSTS700027', /use of the key to verify the signature failed/],
      ['the wrong audience', signed({ aud: 'https://login.microsoftonline.com/other/oauth2/v2.0/token' }), 'AADSTS700023', /unexpected audience/],
      ['sub not the client id', signed({ sub: 'someone-else' }), 'AADSTS700021', /iss and sub/],
      ['an expired assertion', signed({ nowMs: now - 60 * MIN }), 'AADSTS700024', /not within its valid time range/],
      ['an assertion not yet valid', signed({ nowMs: now + 60 * MIN }), 'AADSTS700024', /not within its valid time range/],
    ];
    for (const [what, jwt, code, text] of defects) {
      const answer = await tokenRequest(emulator, 'v2', assertionForm(await jwt, emulator), TENANT);
      assert.equal(aadstsOf(answer), code, `${what}: ${answer.text}`);
      assert.match(answer.body.error_description as string, text, what);
      assert.equal(answer.body.error, 'invalid_client', what);
    }
    const once = await signed({});
    assert.equal((await tokenRequest(emulator, 'v2', assertionForm(once, emulator), TENANT)).status, 200, 'first use');
    const replay = await tokenRequest(emulator, 'v2', assertionForm(once, emulator), TENANT);
    assert.equal(aadstsOf(replay), 'AADSTS50027', replay.text);
    assert.match(replay.body.error_description as string, /already used/);

    // Through the collector's own token request: each defect is a non-retryable CertificateRejected failure with its code and the hint.
    const replayed = await signed({});
    const crafted: Array<[string, () => Promise<string>, string]> = [
      ['wrong key', () => signed({}, strangerKey), 'AADSTS700027'],
      ['wrong aud', () => signed({ aud: 'https://login.microsoftonline.com/other/oauth2/v2.0/token' }), 'AADSTS700023'],
      ['expired', () => signed({ nowMs: now - 60 * MIN }), 'AADSTS700024'],
      ['replayed jti', async () => replayed, 'AADSTS50027'],
    ];
    await requestToken({ ...baseRequest(emulator), clientAssertion: { kind: 'certificate', setting: 'O365_CLIENT_CERTIFICATE_FILE', sign: async () => replayed } }, Date.now());
    for (const [what, sign, code] of crafted) {
      const err = await requestToken({ ...baseRequest(emulator), clientAssertion: { kind: 'certificate', setting: 'O365_CLIENT_CERTIFICATE_FILE', sign } }, Date.now()).then(() => undefined, (e: unknown) => e);
      const failure = toApplicationFailure(err);
      assert.ok(failure instanceof ApplicationFailure, what);
      assert.equal(failure.type, FailureType.CertificateRejected, what);
      assert.equal(failure.nonRetryable, true, what);
      assert.match(failure.message, new RegExp(`${code}: Entra ID refused the client certificate of O365_CLIENT_CERTIFICATE_FILE`), what);
      assert.ok(OPERATOR_HINTS[FailureType.CertificateRejected], what);
    }

    const unregistered: ClientCredential = { kind: 'certificate', setting: 'O365_CLIENT_CERTIFICATE_FILE', certificate: parseClientCertificate(stranger.pem) };
    await assert.rejects(collectorRequest(emulator, unregistered), (err: unknown) => {
      assert.ok(err instanceof ClientAssertionRejectedError);
      assert.equal(err.credential, 'certificate');
      assert.match(err.message, /401 invalid_client AADSTS700027: Entra ID refused the client certificate of O365_CLIENT_CERTIFICATE_FILE/);
      return true;
    });
  });
});

describe('workload identity federation: the token file is the assertion', () => {
  const issuer = 'https://oidc.prod-aks.azure.com/test-cluster/';
  const subject = 'system:serviceaccount:o365:collector';
  const issuerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const federated = (claims: { iss?: string; sub?: string; aud?: string; expMs?: number }, key = issuerKeys.privateKey) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'cluster-key' })
      .setIssuer(claims.iss ?? issuer)
      .setSubject(claims.sub ?? subject)
      .setAudience(claims.aud ?? FEDERATION_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor((claims.expMs ?? Date.now() + 60 * MIN) / 1000))
      .sign(key);
  const emulatorWithFederation = () =>
    startTestEmulator({ dataset, federatedCredentials: [{ issuer, subject, publicKeyPem: issuerKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString() }] });

  it('the file is read afresh for every request, and the same token may be used again until it expires', async () => {
    const emulator = await emulatorWithFederation();
    const file = join(mkdtempSync(join(tmpdir(), 'o365-federated-')), 'token');
    const credential: ClientCredential = { kind: 'federated', setting: 'O365_FEDERATED_TOKEN_FILE', tokenFile: file };
    writeFileSync(file, await federated({ sub: 'system:serviceaccount:o365:someone-else' }));
    await assert.rejects(collectorRequest(emulator, credential), /AADSTS700213: Entra ID refused the federated token of O365_FEDERATED_TOKEN_FILE/);
    writeFileSync(file, `${await federated({})}\n`);
    for (const source of ['graph', 'reporting', 'graph'] as const) assert.equal(typeof ((await collectorRequest(emulator, credential, source)) as { accessToken: string }).accessToken, 'string');
  });

  it('a federated token from another issuer, for another audience, of another subject, expired or forged is refused with its AADSTS code', async () => {
    const emulator = await emulatorWithFederation();
    const forger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const defects: Array<[string, Promise<string>, string]> = [
      ['another issuer', federated({ iss: 'https://token.actions.githubusercontent.com' }), 'AADSTS700211'],
      ['another audience', federated({ aud: 'api://something-else' }), 'AADSTS700212'],
      ['another subject', federated({ sub: 'system:serviceaccount:default:default' }), 'AADSTS700213'],
      ['expired', federated({ expMs: Date.now() - 60 * MIN }), 'AADSTS700024'],
      ['signed by another key', federated({}, forger.privateKey), 'AADSTS700027'],
    ];
    for (const [what, jwt, code] of defects) {
      const answer = await tokenRequest(emulator, 'v2', assertionForm(await jwt, emulator), TENANT);
      assert.equal(aadstsOf(answer), code, `${what}: ${answer.text}`);
    }
  });
});
