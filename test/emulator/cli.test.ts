import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { call } from '../fixtures/microsoft/emulator-fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function cli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'client/cli.ts', 'emulator', ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exit, out: () => stdout, err: () => stderr };
}

describe('o365-trace emulator', () => {
  it('prints one line with the URL and client id (never the secret), serves, and exits 0 on SIGTERM', async () => {
    const run = cli(['--port', '0', '--records', '3000', '--span', '1h', '--seed', '7', '--client-id', 'cli-app', '--client-secret', 'cli-secret-value', '--quota', '0', '--visibility', 'immediate']);
    try {
      const deadline = Date.now() + 20_000;
      while (!run.out().includes('\n') && Date.now() < deadline && run.child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      const line = run.out().trim();
      assert.match(line, /^Microsoft 365 emulator on http:\/\/127\.0\.0\.1:\d+ \(any tenant id; client id cli-app, secret as given\): 3000 rows over 1h, seed 7, quota off, visibility immediate$/, run.err());
      assert.ok(!line.includes('cli-secret-value'));
      const url = /(http:\/\/[\d.:]+)/.exec(line)![1]!;
      const token = await call(`${url}/any-tenant/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'cli-app', client_secret: 'cli-secret-value', scope: `${url}/.default` }),
      });
      assert.equal(token.status, 200);
      const stats = await call(`${url}/_emulator/stats`);
      assert.deepEqual(stats.body.requests, { 'token 200': 1 });
      const truth = (await call(`${url}/_emulator/ground-truth`)).text.trimEnd().split('\n');
      assert.equal(truth.length, 3000);
    } finally {
      run.child.kill('SIGTERM');
    }
    const [code] = await run.exit;
    assert.equal(code, 0);
    assert.equal(run.out().trim().split('\n').length, 1, 'one line only');
  });

  it('exits 2 with one line per bad flag', async () => {
    const run = cli(['--port', '70000', '--span', 'soon', '--quota', 'lots', '--visibility', 'eventually']);
    const [code] = await run.exit;
    assert.equal(code, 2);
    const lines = run.err().trim().split('\n');
    for (const flag of ['--port', '--span', '--quota', '--visibility', '--client-id', '--client-secret']) {
      assert.equal(lines.filter((l) => l.startsWith(`o365-trace emulator: ${flag}:`)).length, 1, `${flag} in ${run.err()}`);
    }
    assert.equal(lines.length, 6);
  });
});
