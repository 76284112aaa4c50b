import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameEvent } from '../../devo/framing.js';
import { sendSyslogBatch } from '../../devo/syslog-sender.js';
import { waitUntil } from '../helpers/wait-until.js';

// The command on its own, as client/cli.ts mounts it, so this test does not depend on the other commands.
const SCRIPT = `import { Command } from 'commander';
import { devoReceiverCommand } from './client/commands/devo-receiver.ts';
await new Command('o365-trace').addCommand(devoReceiverCommand()).parseAsync(process.argv.slice(1), { from: 'user' });`;

function run(args: string[]): { child: ChildProcess; output: () => { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, 'devo-receiver', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return { child, output: () => ({ stdout, stderr }) };
}

describe('o365-trace devo-receiver', () => {
  const dir = mkdtempSync(join(tmpdir(), 'devo-receiver-cmd-'));
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('bad flags: one line each on stderr, exit 2', async () => {
    const { child, output } = run(['--tls-port', 'abc', '--http-port', '70000', '--host', ' ']);
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 2);
    const lines = output().stderr.trim().split('\n');
    assert.equal(lines.length, 3, output().stderr);
    assert.match(lines[0]!, /--tls-port/);
    assert.match(lines[1]!, /--http-port/);
    assert.match(lines[2]!, /--host/);

    const unknown = run(['--no-such-flag']);
    assert.equal(((await once(unknown.child, 'exit')) as [number])[0], 2);
  });

  it('creates certificates, prints one line, receives over mutual TLS into the out dir, and stops on SIGTERM', async () => {
    const certsDir = join(dir, 'certs');
    const outDir = join(dir, 'out');
    const { child, output } = run(['--tls-port', '0', '--tcp-port', '0', '--certs-dir', certsDir, '--out-dir', outDir]);
    children.push(child);
    const line = await waitUntil(() => output().stdout.split('\n')[0]?.match(/tls:\/\/127\.0\.0\.1:(\d+)/) ?? undefined, { intervalMs: 50, what: `the listening line (stderr: ${output().stderr})` });
    const stdoutLine = output().stdout.trimEnd();
    assert.equal(stdoutLine.split('\n').length, 1, stdoutLine);
    assert.ok(stdoutLine.includes(certsDir) && stdoutLine.includes(outDir) && /tcp:\/\/127\.0\.0\.1:\d+/.test(stdoutLine), stdoutLine);

    const pem = (name: string) => readFileSync(join(certsDir, name));
    const messages = ['{"MessageTraceId":"a"}', '{"MessageTraceId":"b"}'];
    const frames = messages.map((message) => frameEvent({ tag: 'cloud.office365.messagetracing', hostname: 'h', timestamp: 0, message }));
    await sendSyslogBatch(frames, { transport: 'tls', host: '127.0.0.1', port: Number(line[1]), cert: pem('client.pem'), key: pem('client.key'), ca: pem('ca.pem') });
    const written = readFileSync(join(outDir, 'cloud.office365.messagetracing.jsonl'), 'utf8').trimEnd().split('\n');
    assert.deepEqual(written.map((l) => (JSON.parse(l) as { message: string }).message), messages);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
  });
});
