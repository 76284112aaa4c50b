import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../config/schema.js';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { writeCertificateSet } from '../../devo/certificates.js';
import { activityDepsFromConfig } from '../../worker/activity-deps.js';
import { testCertificates } from '../helpers/certificates.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

/** The environment around the tenants file: defaults every tenant inherits, and the default Devo domain. */
function environment(dir: string, file: string, extra: Record<string, string> = {}): Record<string, string> {
  for (const name of ['c.pem', 'k.pem', 'ca.pem']) writeFileSync(join(dir, name), 'placeholder; only its path matters here');
  return { O365_TENANTS_FILE: file, O365_WINDOW: '10m', O365_PAGE_SIZE: '800', DEVO_CERT: join(dir, 'c.pem'), DEVO_KEY: join(dir, 'k.pem'), DEVO_CHAIN: join(dir, 'ca.pem'), PAYLOAD_KEY: KEY, ...extra };
}

function writeFile(name: string, text: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'o365-tenants-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return { dir, path };
}

function errorsOf(env: Record<string, string>, purpose: 'worker' | 'client' = 'worker'): string[] {
  try {
    loadConfig(env, purpose);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.lines;
  }
  assert.fail('expected a ConfigError');
}

const GOOD_YAML = (secretDir: string) => `
tenants:
  - tenantId: contoso
    clientId: app-contoso
    clientSecretEnv: CONTOSO_SECRET
    devo: { tagSuffix: contoso }
  - tenantId: fabrikam
    clientId: app-fabrikam
    clientSecretFile: ${secretDir}/fabrikam
    source: reporting
    reportingUrl: https://reports.office365.us/
    window: 2m
    lag: 30m
    pageSize: 2000
    start: 2d
    budget: { requests: 40, window: 5m, liveReserve: 5 }
    devo: { tagSuffix: eu.fabrikam, cert: ${secretDir}/f.pem, key: ${secretDir}/f.key, chain: ${secretDir}/f-ca.pem, address: collector-eu.devo.io }
`;

describe('tenants file', () => {
  it('completes each tenant from the environment and reads secrets by reference (YAML)', () => {
    const secretDir = mkdtempSync(join(tmpdir(), 'o365-secret-'));
    writeFileSync(join(secretDir, 'fabrikam'), 'fabrikam-secret-value\n');
    for (const name of ['f.pem', 'f.key', 'f-ca.pem']) writeFileSync(join(secretDir, name), 'placeholder');
    const { dir, path } = writeFile('tenants.yaml', GOOD_YAML(secretDir));
    const config = loadConfig(environment(dir, path, { CONTOSO_SECRET: 'contoso-secret-value' }), 'worker');
    const [contoso, fabrikam] = config.tenants!;
    assert.deepEqual(
      [contoso!.microsoft.clientSecret, contoso!.microsoft.source, contoso!.microsoft.windowMs, contoso!.microsoft.pageSize, contoso!.devo.tag, contoso!.budget],
      ['contoso-secret-value', 'graph', 10 * 60_000, 800, 'cloud.office365.messagetracing.contoso', undefined],
    );
    assert.deepEqual(
      { secret: fabrikam!.microsoft.clientSecret, source: fabrikam!.microsoft.source, url: fabrikam!.microsoft.reportingUrl, windowMs: fabrikam!.microsoft.windowMs, lagMs: fabrikam!.microsoft.lagMs, start: fabrikam!.microsoft.start },
      { secret: 'fabrikam-secret-value', source: 'reporting', url: 'https://reports.office365.us', windowMs: 2 * 60_000, lagMs: 30 * 60_000, start: '2d' },
    );
    assert.deepEqual(fabrikam!.budget, { requests: 40, windowMs: 300_000, liveReserve: 5 });
    assert.deepEqual(
      [fabrikam!.devo.tag, fabrikam!.devo.certPath, fabrikam!.devo.address, fabrikam!.devo.port],
      ['cloud.office365.messagetracing.eu.fabrikam', join(secretDir, 'f.pem'), 'collector-eu.devo.io', 443],
    );
  });

  it('reads the same file as JSON, and a client never reads the secrets', () => {
    const json = JSON.stringify({ tenants: [{ tenantId: 'contoso', clientId: 'app', clientSecretEnv: 'NOT_SET_ANYWHERE', devo: { tagSuffix: 'contoso' } }] });
    const { dir, path } = writeFile('tenants.json', json);
    const config = loadConfig(environment(dir, path), 'client');
    assert.equal(config.tenants?.[0]?.devo.tag, 'cloud.office365.messagetracing.contoso');
    assert.equal(config.tenants?.[0]?.microsoft.clientSecret, '');
    assert.deepEqual(errorsOf(environment(dir, path), 'worker'), [
      "O365_TENANTS_FILE: tenant contoso (#1) clientSecretEnv: NOT_SET_ANYWHERE is not set in the worker's environment",
    ]);
  });

  it('names every problem on its own line with tenant and field, and refuses an inline secret without echoing it', () => {
    const { dir, path } = writeFile(
      'tenants.yaml',
      `
tenants:
  - tenantId: contoso
    clientId: app
    clientSecret: hunter2-inline-secret
  - tenantId: fabrikam
    clientId: app
    clientSecretEnv: A
    clientSecretFile: /run/secrets/b
    window: five minutes
    devo: { cert: /etc/c.pem }
  - clientId: app
    clientSecretEnv: O365_NORTHWIND_SECRET
    colour: blue
  - tenantId: contoso
    clientId: app
    clientSecretEnv: C
`,
    );
    const lines = errorsOf(environment(dir, path));
    const expected = [
      /^O365_TENANTS_FILE: tenant contoso \(#1\) clientSecret: secrets never go in the tenants file/,
      /^O365_TENANTS_FILE: tenant fabrikam \(#2\) clientSecretEnv: set exactly one of/,
      /^O365_TENANTS_FILE: tenant fabrikam \(#2\) window: expected a duration/,
      /^O365_TENANTS_FILE: tenant fabrikam \(#2\) devo\.key: a separate Devo domain needs cert, key and chain together/,
      /^O365_TENANTS_FILE: tenant fabrikam \(#2\) devo\.chain: a separate Devo domain/,
      /^O365_TENANTS_FILE: tenant #3 tenantId: Required/,
      /^O365_TENANTS_FILE: tenant #3 clientSecretEnv: pick a name without the O365_/,
      /^O365_TENANTS_FILE: tenant #3 \(entry\): Unrecognized key\(s\) in object: 'colour'/,
      /^O365_TENANTS_FILE: tenant contoso \(#4\) tenantId: listed twice/,
    ];
    for (const pattern of expected) assert.ok(lines.some((l) => pattern.test(l)), `${pattern} in:\n${lines.join('\n')}`);
    assert.equal(lines.length, expected.length, lines.join('\n'));
    assert.ok(!lines.join('\n').includes('hunter2'), 'the inline secret is never echoed');
  });

  it('checks settings against the tenant source, and says when the file cannot be read or parsed', () => {
    const { dir, path } = writeFile('t.yaml', 'tenants:\n  - { tenantId: t, clientId: a, clientSecretEnv: S, source: reporting, pageSize: 3000, start: yesterday }\n');
    assert.deepEqual(errorsOf(environment(dir, path, { S: 'x' })), [
      'O365_TENANTS_FILE: tenant t (#1) pageSize: at most 2000 for source reporting',
      "O365_TENANTS_FILE: tenant t (#1) start: expected an ISO time (2026-11-01T00:00:00Z) or a duration back such as 2h or 7d, got 'yesterday'",
    ]);
    assert.deepEqual(errorsOf(environment(dir, join(dir, 'missing.yaml'))), [`O365_TENANTS_FILE: cannot read ${join(dir, 'missing.yaml')} (ENOENT)`]);
    const broken = writeFile('b.yaml', 'tenants:\n  - tenantId: [unclosed\n    clientSecret: s3cr3t-in-a-broken-file\n');
    const [line, ...more] = errorsOf(environment(broken.dir, broken.path));
    assert.match(line!, /^O365_TENANTS_FILE: .*b\.yaml is not valid YAML or JSON: /);
    assert.equal(more.length, 0);
    assert.ok(!line!.includes('s3cr3t'), line);
  });

  it('gives the worker one lookup per tenant: its secret, its tag, and its own transport for a separate Devo domain', async () => {
    const certs = await testCertificates();
    const dir = mkdtempSync(join(tmpdir(), 'o365-tenant-certs-'));
    const paths = await writeCertificateSet(certs, dir);
    const file = join(dir, 'tenants.yaml');
    writeFileSync(
      file,
      `tenants:
  - { tenantId: a, clientId: app-a, clientSecretEnv: A_SECRET, devo: { tagSuffix: a } }
  - { tenantId: b, clientId: app-b, clientSecretEnv: B_SECRET }
  - { tenantId: c, clientId: app-c, clientSecretEnv: C_SECRET, devo: { cert: ${paths.clientCert}, key: ${paths.clientKey}, chain: ${paths.caCert}, port: 6514 } }
`,
    );
    const env = { ...environment(dir, file), DEVO_CERT: paths.clientCert, DEVO_KEY: paths.clientKey, DEVO_CHAIN: paths.caCert, A_SECRET: 'sa', B_SECRET: 'sb', C_SECRET: 'sc' };
    const config: Config = loadConfig(env, 'worker');
    const deps = activityDepsFromConfig(config);
    assert.deepEqual(['a', 'b', 'c'].map((id) => deps.tenants.get(id).microsoft.clientSecret), ['sa', 'sb', 'sc']);
    const routes = ['a', 'b', 'c'].map((id) => deps.tenants.get(id).devo);
    assert.deepEqual(routes.map((r) => r.tag), ['cloud.office365.messagetracing.a', 'cloud.office365.messagetracing', 'cloud.office365.messagetracing']);
    assert.equal(routes[0]!.transport, deps.devo, 'tenants on the default domain share its transport');
    assert.equal(routes[1]!.transport, deps.devo);
    assert.notEqual(routes[2]!.transport, deps.devo, 'a separate domain has a transport of its own');
    assert.equal(routes[2]!.transport.description, 'tls://collector-us.devo.io:6514');
    assert.throws(() => deps.tenants.get('d'), /tenant d is not served by this worker \(it serves a, b, c\)/);
  });
});

describe('o365-trace with a bad tenants file', () => {
  it('start --all exits 2 with one line per problem, naming tenant and field', () => {
    const { dir, path } = writeFile('tenants.yaml', 'tenants:\n  - { tenantId: contoso, clientId: app, clientSecret: inline-value }\n  - { tenantId: fabrikam, clientId: app, clientSecretEnv: F, lag: soon }\n');
    const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'client/cli.ts'), 'start', '--all'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, O365_TENANTS_FILE: path, PAYLOAD_KEY: KEY, TEMPORAL_ADDRESS: '127.0.0.1:1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 2, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(/:[^:]*$/, '')),
      ['o365-trace', '  O365_TENANTS_FILE: tenant contoso (#1) clientSecret', '  O365_TENANTS_FILE: tenant fabrikam (#2) lag'],
      result.stderr,
    );
    assert.ok(!result.stderr.includes('inline-value'));
  });
});
