import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';

/** Runs the real CLI in an empty directory (no .env) with exactly the given environment. */
function o365Trace(args: string[], env: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'o365-cli-'));
  return spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'client/cli.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_PATH: join(PROJECT_ROOT, 'node_modules'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('o365-trace configuration errors', () => {
  it('exits 2 naming a missing O365_CLIENT_ID and a malformed O365_WINDOW, one line each', () => {
    const result = o365Trace(['worker'], {
      O365_TENANT_ID: 'contoso',
      O365_CLIENT_SECRET: 'x',
      O365_WINDOW: 'five',
      DEVO_CERT: 'c',
      DEVO_KEY: 'k',
      DEVO_CHAIN: 'ca',
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    });
    assert.equal(result.status, 2, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.ok(lines.some((l) => /^\s+O365_CLIENT_ID: required/.test(l)), result.stderr);
    assert.ok(lines.some((l) => /^\s+O365_WINDOW: expected a duration/.test(l)), result.stderr);
    assert.ok(!result.stderr.includes('  at '), 'no stack trace for a configuration error');
  });

  it('never echoes a secret in its error output', () => {
    const result = o365Trace(['worker'], { O365_TENANT_ID: 't', O365_CLIENT_SECRET: 'sup3r-s3cret-value', PAYLOAD_KEY: 'not-base64-32-bytes' });
    assert.equal(result.status, 2);
    assert.ok(!result.stderr.includes('sup3r-s3cret-value'));
    assert.ok(!result.stderr.includes('not-base64-32-bytes'), result.stderr);
  });
});
