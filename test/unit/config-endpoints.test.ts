import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/schema.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const pemDir = mkdtempSync(join(tmpdir(), 'o365-config-endpoints-'));
const pem = (name: string) => {
  writeFileSync(join(pemDir, name), 'not parsed here');
  return join(pemDir, name);
};
const complete = { O365_TENANT_ID: 't', O365_CLIENT_ID: 'c', O365_CLIENT_SECRET: 's', DEVO_CERT: pem('a.pem'), DEVO_KEY: pem('a.key'), DEVO_CHAIN: pem('ca.pem'), PAYLOAD_KEY: KEY };

function errorsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, 'worker');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.lines;
  }
  return [];
}

describe('Microsoft URLs in the environment', () => {
  it('accepts the public cloud and each national cloud', () => {
    const clouds = [
      ['https://login.microsoftonline.com', 'https://graph.microsoft.com', 'https://reports.office365.com'],
      ['https://login.microsoftonline.us', 'https://graph.microsoft.us', 'https://reports.office365.us'],
      ['https://login.microsoftonline.us', 'https://dod-graph.microsoft.us', 'https://webmail.apps.mil'],
      ['https://login.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn', 'https://partner.outlook.cn'],
    ];
    for (const [login, graph, reporting] of clouds) {
      assert.deepEqual(errorsOf({ ...complete, O365_LOGIN_URL: login!, O365_GRAPH_URL: `${graph}/`, O365_REPORTING_URL: reporting! }), [], `${login} ${graph} ${reporting}`);
    }
  });

  it('refuses plain http, another host and a host of another API, one line each, without echoing credentials or paths', () => {
    const lines = errorsOf({
      ...complete,
      O365_LOGIN_URL: 'http://login.microsoftonline.com',
      O365_GRAPH_URL: 'https://user:hunter2@graph.example.com/v1.0?code=secret-query',
      O365_REPORTING_URL: 'https://login.microsoftonline.com',
    });
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.match(lines[0]!, /^O365_LOGIN_URL: expected https:\/\/ on a Microsoft login host \(login\.microsoftonline\.com, .*\), got http:\/\/login\.microsoftonline\.com; O365_ALLOW_ANY_ENDPOINT=true/);
    assert.match(lines[1]!, /^O365_GRAPH_URL: expected https:\/\/ on a Microsoft graph host .*, got https:\/\/graph\.example\.com;/);
    assert.match(lines[2]!, /^O365_REPORTING_URL: expected https:\/\/ on a Microsoft reporting host .*, got https:\/\/login\.microsoftonline\.com;/);
    assert.ok(!lines.join('\n').includes('hunter2') && !lines.join('\n').includes('secret-query'));
  });

  it('refuses a look-alike host and a non-default port', () => {
    const lines = errorsOf({ ...complete, O365_LOGIN_URL: 'https://login.microsoftonline.com.evil.example', O365_GRAPH_URL: 'https://graph.microsoft.com:8443' });
    assert.deepEqual(lines.map((l) => l.split(':')[0]), ['O365_LOGIN_URL', 'O365_GRAPH_URL']);
  });

  it('O365_ALLOW_ANY_ENDPOINT=true lets them point at the emulator; any other value is refused', () => {
    const emulator = { O365_LOGIN_URL: 'http://127.0.0.1:8480', O365_GRAPH_URL: 'http://127.0.0.1:8480', O365_REPORTING_URL: 'http://emulator:8480' };
    const config = loadConfig({ ...complete, ...emulator, O365_ALLOW_ANY_ENDPOINT: 'true' }, 'worker');
    assert.equal(config.microsoft.loginUrl, 'http://127.0.0.1:8480');
    assert.equal(errorsOf({ ...complete, ...emulator, O365_ALLOW_ANY_ENDPOINT: 'false' }).length, 3);
    assert.deepEqual(errorsOf({ ...complete, O365_ALLOW_ANY_ENDPOINT: 'yes' }), ['O365_ALLOW_ANY_ENDPOINT: expected true or false']);
  });
});
