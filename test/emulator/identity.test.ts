import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertSameShape } from '../fixtures/microsoft/shape.js';
import {
  call,
  CLIENT_ID,
  CLIENT_SECRET,
  fixtureJson,
  graphToken,
  graphUrl,
  HOUR,
  reportingToken,
  reportingUrl,
  suiteEmulator,
  TestClock,
  tokenRequest,
} from '../fixtures/microsoft/emulator-fixture.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const credentials = { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET };

describe('the emulated Entra ID token endpoints', () => {
  const clock = new TestClock(NOW);
  const emulatorOf = suiteEmulator({ now: clock.now, tokenLifetimeSeconds: 600, dataset: { seed: 1, records: 100, startMs: NOW - HOUR, endMs: NOW, visibility: { kind: 'immediate' } } });
  const graphGet = (token: string) => call(graphUrl(emulatorOf()), { headers: { authorization: `Bearer ${token}` } });
  const reportingGet = (token: string) => call(reportingUrl(emulatorOf()), { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });

  it('v1 answers its numbers as strings, with expires_on, not_before and resource', async () => {
    const emulator = emulatorOf();
    const answer = await tokenRequest(emulator, 'v1', { ...credentials, resource: 'https://outlook.office365.com' }, 'any-tenant-at-all');
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body), ['token_type', 'expires_in', 'ext_expires_in', 'expires_on', 'not_before', 'resource', 'access_token']);
    assert.deepEqual(
      { ...answer.body, access_token: typeof answer.body.access_token },
      { token_type: 'Bearer', expires_in: '600', ext_expires_in: '600', expires_on: String(NOW / 1000 + 600), not_before: String(NOW / 1000), resource: 'https://outlook.office365.com', access_token: 'string' },
    );
  });

  it('v2 answers numbers as numbers, in the shape of a real v2 response', async () => {
    const emulator = emulatorOf();
    const answer = await tokenRequest(emulator, 'v2', { ...credentials, scope: 'https://graph.microsoft.com/.default' });
    assert.equal(answer.status, 200);
    assertSameShape({ token_type: answer.body.token_type, expires_in: answer.body.expires_in, access_token: answer.body.access_token }, fixtureJson('token-v2.json'));
    assert.deepEqual([answer.body.expires_in, answer.body.ext_expires_in], [600, 600]);
    assert.match(answer.body.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'opaque, JWT-shaped');
  });

  it('the audience decides which API accepts a token; the other answers 401', async () => {
    const emulator = emulatorOf();
    const graph = await graphToken(emulator);
    const rws = await reportingToken(emulator);
    const rwsV2 = (await tokenRequest(emulator, 'v2', { ...credentials, scope: 'https://outlook.office365.com/.default' })).body.access_token as string;
    assert.equal((await graphGet(graph)).status, 200);
    assert.equal((await reportingGet(rws)).status, 200);
    assert.equal((await reportingGet(rwsV2)).status, 200);
    const wrongForGraph = await graphGet(rws);
    assert.equal(wrongForGraph.status, 401);
    assert.equal(wrongForGraph.body.error.code, 'InvalidAuthenticationToken');
    const wrongForRws = await reportingGet(graph);
    assert.equal(wrongForRws.status, 401);
    assert.match(wrongForRws.headers.get('content-type') ?? '', /text\/html/);
  });

  it('a wrong secret is AADSTS7000215, an unknown app AADSTS700016, a bad grant AADSTS70003', async () => {
    const emulator = emulatorOf();
    const wrongSecret = await tokenRequest(emulator, 'v2', { ...credentials, client_secret: 'the-secret-id-instead', scope: 'https://graph.microsoft.com/.default' });
    assert.equal(wrongSecret.status, 401);
    assert.deepEqual(Object.keys(wrongSecret.body), ['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri']);
    assert.equal(wrongSecret.body.error, 'invalid_client');
    assert.match(wrongSecret.body.error_description, /^AADSTS7000215: Invalid client secret provided\. /);
    assert.deepEqual(wrongSecret.body.error_codes, [7000215]);
    assert.ok(!wrongSecret.text.includes('the-secret-id-instead'), 'the secret is never echoed');
    const unknownApp = await tokenRequest(emulator, 'v1', { ...credentials, client_id: 'someone-else', resource: 'https://outlook.office365.com' });
    assert.deepEqual([unknownApp.status, unknownApp.body.error, unknownApp.body.error_codes], [400, 'unauthorized_client', [700016]]);
    const password = await tokenRequest(emulator, 'v2', { ...credentials, grant_type: 'password', scope: 'https://graph.microsoft.com/.default' });
    assert.deepEqual([password.status, password.body.error, password.body.error_codes], [400, 'unsupported_grant_type', [70003]]);
    const noGrant = await tokenRequest(emulator, 'v2', { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'https://graph.microsoft.com/.default' });
    assert.deepEqual([noGrant.status, noGrant.body.error], [400, 'invalid_request']);
    const badScope = await tokenRequest(emulator, 'v2', { ...credentials, scope: 'https://graph.microsoft.com/Mail.Read' });
    assert.deepEqual([badScope.status, badScope.body.error], [400, 'invalid_scope']);
  });

  it('accepts the client credentials in an HTTP Basic header too', async () => {
    const emulator = emulatorOf();
    const answer = await call(`${emulator.url}/t/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }),
    });
    assert.equal(answer.status, 200);
  });

  it('tokens die at their lifetime on the emulator clock, and all at once on expireTokens()', async () => {
    const emulator = emulatorOf();
    const token = await graphToken(emulator);
    clock.advance(599_000);
    assert.equal((await graphGet(token)).status, 200);
    clock.advance(1_000);
    const expired = await graphGet(token);
    assert.equal(expired.status, 401);
    assert.match(expired.body.error.message, /expired/);
    const fresh = await graphToken(emulator);
    const rws = await reportingToken(emulator);
    emulator.expireTokens();
    assert.equal((await graphGet(fresh)).status, 401);
    assert.equal((await reportingGet(rws)).status, 401);
    assert.equal((await graphGet(await graphToken(emulator))).status, 200, 'tokens issued afterwards work');
    assert.equal((await graphGet('made-up')).status, 401);
    assert.equal((await call(graphUrl(emulator))).body.error.message, 'Access token is empty.');
  });

  it('token calls are counted as "token <status>" and never leave the token in the stats', async () => {
    const emulator = emulatorOf();
    emulator.resetStats();
    await graphToken(emulator);
    await tokenRequest(emulator, 'v1', { ...credentials, client_secret: 'nope', resource: 'https://outlook.office365.com' });
    assert.deepEqual(emulator.stats().requests, { 'token 200': 1, 'token 401': 1 });
  });
});
