import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ConfigError, loadConfig } from '../../config/schema.js';
import { activityDepsFromConfig } from '../../worker/activity-deps.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

/** A folder with the default Devo domain's files, and the environment around a tenants file written in it. */
function world(yaml: (dir: string) => string, extra: (dir: string) => Record<string, string> = () => ({})) {
  const dir = mkdtempSync(join(tmpdir(), 'o365-tenants-reach-'));
  for (const name of ['c.pem', 'k.pem', 'ca.pem']) writeFileSync(join(dir, name), 'placeholder');
  const file = join(dir, 'tenants.yaml');
  writeFileSync(file, yaml(dir));
  const env = { O365_TENANTS_FILE: file, DEVO_CERT: join(dir, 'c.pem'), DEVO_KEY: join(dir, 'k.pem'), DEVO_CHAIN: join(dir, 'ca.pem'), PAYLOAD_KEY: KEY, S: 'tenant-secret', ...extra(dir) };
  return { dir, env };
}

function errorsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, 'worker');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.lines;
  }
  assert.fail('expected a ConfigError');
}

describe('what a tenants file can reach', () => {
  it("refuses a tenant's Microsoft URL off Microsoft's https hosts, one line per field, and accepts the national clouds", () => {
    const { env } = world(
      () => `tenants:
  - { tenantId: a, clientId: app, clientSecretEnv: S, loginUrl: "http://login.microsoftonline.com" }
  - { tenantId: b, clientId: app, clientSecretEnv: S, graphUrl: "https://graph.attacker.example", reportingUrl: "http://127.0.0.1:8080" }
  - { tenantId: c, clientId: app, clientSecretEnv: S, loginUrl: "https://login.microsoftonline.us", graphUrl: "https://dod-graph.microsoft.us", reportingUrl: "https://outlook.office365.us" }
  - { tenantId: d, clientId: app, clientSecretEnv: S, loginUrl: "https://login.chinacloudapi.cn", graphUrl: "https://microsoftgraph.chinacloudapi.cn" }
`,
    );
    const lines = errorsOf(env);
    assert.deepEqual(
      lines.map((line) => line.split(': expected')[0]),
      ['O365_TENANTS_FILE: tenant a (#1) loginUrl', 'O365_TENANTS_FILE: tenant b (#2) graphUrl', 'O365_TENANTS_FILE: tenant b (#2) reportingUrl'],
      lines.join('\n'),
    );
    assert.match(lines[0]!, /expected https:\/\/ on a Microsoft login host .*, got http:\/\/login\.microsoftonline\.com; O365_ALLOW_ANY_ENDPOINT=true/);
  });

  it('O365_ALLOW_ANY_ENDPOINT=true lets a tenant point at its emulator', () => {
    const { env } = world(() => 'tenants:\n  - { tenantId: a, clientId: app, clientSecretEnv: S, loginUrl: "http://127.0.0.1:8480", graphUrl: "http://127.0.0.1:8480" }\n');
    assert.equal(loadConfig({ ...env, O365_ALLOW_ANY_ENDPOINT: 'true' }, 'worker').tenants![0]!.microsoft.loginUrl, 'http://127.0.0.1:8480');
  });

  it("refuses a secret variable that is one of this process's own settings: payload key, codec token, Temporal API key", () => {
    const names = ['TEMPORAL_API_KEY', 'CODEC_SERVER_TOKEN', 'PAYLOAD_KEY', 'PAYLOAD_KEY_PREVIOUS', 'payload_key', 'Temporal_Tls_Client_Key_Data'];
    const { env } = world(() => `tenants:\n${names.map((name, i) => `  - { tenantId: t${i}, clientId: app, clientSecretEnv: ${name} }`).join('\n')}\n`, () => ({ TEMPORAL_API_KEY: 'temporal-api-key-value', CODEC_SERVER_TOKEN: 'codec-token-value' }));
    const lines = errorsOf(env);
    assert.deepEqual(
      lines.map((line) => line.split(': pick')[0]),
      names.map((_, i) => `O365_TENANTS_FILE: tenant t${i} (#${i + 1}) clientSecretEnv`),
      lines.join('\n'),
    );
    assert.match(lines[0]!, /pick a name without the O365_, DEVO_, PAYLOAD_, CODEC_ or TEMPORAL_ prefix/);
    for (const value of ['temporal-api-key-value', 'codec-token-value', KEY]) assert.ok(!lines.join('\n').includes(value));
  });

  it("refuses a secret file that another setting names: the payload key file, the codec token file, Temporal's TLS key, a Devo key, by any path to it", () => {
    const { dir, env } = world(
      (d) => {
        for (const name of ['payload.key', 'codec.token', 'temporal.key', 'temporal.pem', 'other.key', 'other.pem', 'other-ca.pem', 'own.secret']) writeFileSync(join(d, name), name === 'payload.key' ? KEY : 'file-secret-value');
        symlinkSync(join(d, 'payload.key'), join(d, 'link-to-payload.key'));
        return `tenants:
  - { tenantId: a, clientId: app, clientSecretFile: ${join(d, 'link-to-payload.key')} }
  - { tenantId: b, clientId: app, clientSecretFile: ${relative(process.cwd(), join(d, 'codec.token'))} }
  - { tenantId: c, clientId: app, clientSecretFile: ${join(d, 'temporal.key')} }
  - { tenantId: d, clientId: app, clientSecretFile: ${join(d, 'k.pem')} }
  - { tenantId: e, clientId: app, clientSecretFile: ${join(d, 'other.key')} }
  - { tenantId: f, clientId: app, clientSecretFile: ${join(d, 'own.secret')}, devo: { cert: ${join(d, 'other.pem')}, key: ${join(d, 'other.key')}, chain: ${join(d, 'other-ca.pem')} } }
`;
      },
      (d) => ({ PAYLOAD_KEY: '', PAYLOAD_KEY_FILE: join(d, 'payload.key'), CODEC_SERVER_TOKEN_FILE: join(d, 'codec.token'), TEMPORAL_TLS_CLIENT_KEY_PATH: join(d, 'temporal.key'), TEMPORAL_TLS_CLIENT_CERT_PATH: join(d, 'temporal.pem') }),
    );
    const lines = errorsOf(env);
    assert.deepEqual(
      lines.map((line) => /^O365_TENANTS_FILE: tenant (\w) \(#\d\) clientSecretFile: .* is the file of ([\w. ]+); give the tenant's secret a file of its own$/.exec(line)?.slice(1).join(' ') ?? line),
      ['a PAYLOAD_KEY_FILE', 'b CODEC_SERVER_TOKEN_FILE', 'c TEMPORAL_TLS_CLIENT_KEY_PATH', 'd DEVO_KEY', 'e tenant f devo.key'],
    );
    assert.ok(!lines.join('\n').includes('file-secret-value'));
    assert.ok(dir);
  });

  it('takes t2 and T2 for one tenant: listed twice is refused, and the worker finds it whatever the case', () => {
    const twice = world(() => 'tenants:\n  - { tenantId: t2, clientId: app, clientSecretEnv: S }\n  - { tenantId: T2, clientId: app, clientSecretEnv: S }\n');
    assert.deepEqual(errorsOf(twice.env), ['O365_TENANTS_FILE: tenant T2 (#2) tenantId: listed twice (tenant ids are compared ignoring case); one collector per tenant']);
    const once = world(() => 'tenants:\n  - { tenantId: Contoso.onmicrosoft.com, clientId: app, clientSecretEnv: S }\n');
    const deps = activityDepsFromConfig(loadConfig(once.env, 'worker'));
    assert.equal(deps.tenants.get('contoso.ONMICROSOFT.com').microsoft.clientSecret, 'tenant-secret');
  });
});
