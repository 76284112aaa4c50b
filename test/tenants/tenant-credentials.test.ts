import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/schema.js';
import { appCertificate } from '../helpers/certificates.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

function tenantsEnvironment(yaml: (dir: string) => string, extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'o365-tenant-credentials-'));
  writeFileSync(join(dir, 'tenants.yaml'), yaml(dir));
  return { O365_TENANTS_FILE: join(dir, 'tenants.yaml'), DEVO_TRANSPORT: 'relay', PAYLOAD_KEY: KEY, ...extra };
}

describe('tenant credentials by reference: a secret, a certificate file or a federated token file, exactly one', () => {
  it('a worker reads each tenant its own kind of credential, named with its tenant for refusals and expiry', async () => {
    const app = await appCertificate({ password: 'pw' });
    const env = tenantsEnvironment(
      (dir) => {
        writeFileSync(join(dir, 'contoso.pem'), app.pem);
        writeFileSync(join(dir, 'fabrikam.token'), 'eyJ.x.y');
        return `
tenants:
  - { tenantId: contoso, clientId: app-c, clientCertificateFile: ${join(dir, 'contoso.pem')}, clientCertificatePasswordEnv: CONTOSO_PFX_PASSWORD }
  - { tenantId: fabrikam, clientId: app-f, federatedTokenFile: ${join(dir, 'fabrikam.token')} }
  - { tenantId: northwind, clientId: app-n, clientSecretEnv: NORTHWIND_SECRET }
`;
      },
      { CONTOSO_PFX_PASSWORD: 'pw', NORTHWIND_SECRET: 's' },
    );
    const tenants = loadConfig(env, 'worker').tenants!;
    assert.deepEqual(
      tenants.map((t) => [t.microsoft.tenantId, t.microsoft.credential?.kind ?? 'secret', t.microsoft.credential?.setting ?? t.microsoft.clientSecret]),
      [
        ['contoso', 'certificate', 'tenant contoso (#1) clientCertificateFile'],
        ['fabrikam', 'federated', 'tenant fabrikam (#2) federatedTokenFile'],
        ['northwind', 'secret', 's'],
      ],
    );
    assert.equal(loadConfig(env, 'client').tenants![0]!.microsoft.credential, undefined, 'a client never reads the key');
  });

  it('two credentials, none, a missing password variable or an unreadable file: one line each, naming tenant and keys', () => {
    const env = tenantsEnvironment(
      () => `
tenants:
  - { tenantId: contoso, clientId: app, clientSecretEnv: CONTOSO_SECRET, clientCertificateFile: /etc/contoso.pem }
  - { tenantId: fabrikam, clientId: app }
  - { tenantId: northwind, clientId: app, clientCertificateFile: /nonexistent/northwind.pem }
  - { tenantId: tailspin, clientId: app, clientCertificateFile: /nonexistent/t.pem, clientCertificatePasswordEnv: TAILSPIN_PFX }
  - { tenantId: litware, clientId: app, federatedTokenFile: /nonexistent/token }
`,
    );
    let lines: string[] = [];
    try {
      loadConfig(env, 'worker');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      lines = err.lines;
    }
    assert.deepEqual(lines.slice(0, 2), [
      'O365_TENANTS_FILE: tenant contoso (#1) clientSecretEnv: set exactly one of clientSecretEnv, clientSecretFile, clientCertificateFile or federatedTokenFile: clientSecretEnv and clientCertificateFile are both set',
      'O365_TENANTS_FILE: tenant fabrikam (#2) clientSecretEnv: set exactly one of clientSecretEnv (a variable name), clientSecretFile, clientCertificateFile or federatedTokenFile (file paths)',
    ]);
    const fileProblems = tenantsEnvironment(
      () => `
tenants:
  - { tenantId: northwind, clientId: app, clientCertificateFile: /nonexistent/northwind.pem }
  - { tenantId: tailspin, clientId: app, clientCertificateFile: /nonexistent/t.pem, clientCertificatePasswordEnv: TAILSPIN_PFX }
  - { tenantId: litware, clientId: app, federatedTokenFile: /nonexistent/token }
`,
    );
    try {
      loadConfig(fileProblems, 'worker');
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.lines, [
        'O365_TENANTS_FILE: tenant northwind (#1) clientCertificateFile: cannot read /nonexistent/northwind.pem (ENOENT)',
        "O365_TENANTS_FILE: tenant tailspin (#2) clientCertificatePasswordEnv: TAILSPIN_PFX is not set in the worker's environment",
        'O365_TENANTS_FILE: tenant litware (#3) federatedTokenFile: cannot read /nonexistent/token (ENOENT)',
      ]);
    }
  });
});
