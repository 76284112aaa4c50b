import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { CredentialsRejectedError } from '../../microsoft/errors.js';
import { MAX_ERROR_TEXT_CHARS } from '../../microsoft/safe-text.js';
import { requestToken, TOKEN_LIFETIME_RANGE_S } from '../../microsoft/token.js';
import { localHttpServer } from '../helpers/local-http-server.js';

const NOW = Date.UTC(2026, 10, 24, 10);
const CONTROL = /\p{Cc}/u;

/** A token endpoint answering `status` with `body` as JSON. */
async function tokenEndpoint(t: TestContext, status: number, body: unknown) {
  const server = await localHttpServer(t, (_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  return (source: 'graph' | 'reporting' = 'graph') => requestToken({ loginUrl: server.url, tenantId: 't', clientId: 'c', clientSecret: 's', source, graphUrl: server.url }, NOW);
}

describe('token endpoint answers reach logs and status only made safe', () => {
  it('control characters in the error field never reach the error message', async (t) => {
    const hostile = 'invalid_client\u001b[2J\u001b]0;owned\u0007\r\n2026-11-24T10:00:00Z INFO forged log line\u0000';
    const fetchToken = await tokenEndpoint(t, 401, { error: hostile, error_description: 'AADSTS7000215: Invalid client secret provided.' });
    const err = await fetchToken().catch((e: unknown) => e);
    assert.ok(err instanceof CredentialsRejectedError, String(err));
    assert.doesNotMatch(err.message, CONTROL, JSON.stringify(err.message));
    assert.match(err.message, /: 401 invalid_client \[2J \]0;owned 2026-11-24T10:00:00Z INFO forged log line AADSTS7000215: check O365_TENANT_ID/);
  });

  it('a very long error field is cut', async (t) => {
    const fetchToken = await tokenEndpoint(t, 400, { error: 'x'.repeat(20_000) });
    const err = await fetchToken().catch((e: unknown) => e);
    assert.ok(err instanceof CredentialsRejectedError, String(err));
    assert.ok(err.message.length < MAX_ERROR_TEXT_CHARS + 300, `${err.message.length} characters`);
  });

  const lifetimes: Array<[string, unknown, number]> = [
    ['1e13 seconds (no date at all)', 1e13, TOKEN_LIFETIME_RANGE_S.max],
    ['a negative lifetime', -3599, TOKEN_LIFETIME_RANGE_S.min],
    ['zero, as v1 writes it', '0', TOKEN_LIFETIME_RANGE_S.min],
    ['an ordinary hour, as v1 writes it', '3599', 3599],
    ['an ordinary hour, as v2 writes it', 3599, 3599],
  ];
  for (const [what, expiresIn, lifetimeS] of lifetimes) {
    it(`expires_in of ${what} gives a token for ${lifetimeS} s`, async (t) => {
      const fetchToken = await tokenEndpoint(t, 200, { token_type: 'Bearer', expires_in: expiresIn, access_token: 'eyJ0eXAi' });
      const token = await fetchToken();
      assert.equal(token.expiresAtMs, NOW + lifetimeS * 1000);
      // The status query shows the expiry as an ISO date: it must be one.
      assert.equal(new Date(token.expiresAtMs).toISOString(), new Date(NOW + lifetimeS * 1000).toISOString());
    });
  }
});
