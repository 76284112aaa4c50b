import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { call } from '../fixtures/microsoft/emulator-fixture.js';
import { waitUntil } from '../helpers/wait-until.js';

/** Starts `o365-trace <args>` as the compose demo does, stopped with SIGTERM when the test ends. */
function o365Trace(t: TestContext, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'client/cli.ts', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'warn' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  t.after(async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  });
  return { firstLine: () => waitUntil(() => (stdout.includes('\n') ? stdout.split('\n')[0] : undefined), { timeoutMs: 60_000, what: `the first line (stderr: ${stderr})` }) };
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'o365-demo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Completes a mutual-TLS handshake as the collector does (servername checked against the certificate), or fails with the error code. */
function handshake(port: number, servername: string, certsDir: string): Promise<string> {
  const pem = (name: string) => readFileSync(join(certsDir, name));
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client.key') });
    socket.once('secureConnect', () => {
      socket.end();
      resolve('ok');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('the demo profile services', () => {
  it('devo-receiver --cert-hostname makes a certificate the collector accepts under that name only', async (t) => {
    const certsDir = join(tempDir(t), 'certs');
    const receiver = o365Trace(t, ['devo-receiver', '--tls-port', '0', '--cert-hostname=devo-receiver', `--certs-dir=${certsDir}`, `--out-dir=${join(certsDir, '..', 'out')}`]);
    const port = Number(/tls:\/\/127\.0\.0\.1:(\d+)/.exec(await receiver.firstLine())?.[1]);
    assert.equal(await handshake(port, 'devo-receiver', certsDir), 'ok');
    assert.equal(await handshake(port, 'localhost', certsDir), 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('emulator --client-secret-file accepts exactly the secret in the file', async (t) => {
    const file = join(tempDir(t), 'client-secret');
    writeFileSync(file, 'from-a-file\n');
    const emulator = o365Trace(t, ['emulator', '--port', '0', '--records', '10', '--client-id', 'demo-client', `--client-secret-file=${file}`, '--quota', '0']);
    const url = /(http:\/\/[\d.:]+)/.exec(await emulator.firstLine())![1]!;
    const token = (secret: string) =>
      call(`${url}/demo-tenant/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'demo-client', client_secret: secret, scope: `${url}/.default` }),
      });
    assert.equal((await token('from-a-file')).status, 200);
    assert.equal((await token('something-else')).status, 401);
  });
});
