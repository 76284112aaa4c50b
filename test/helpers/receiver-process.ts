import { spawn, type ChildProcess } from 'node:child_process';
import { reapOnExit } from './child-reaper.js';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceRecord } from '../../microsoft/records.js';
import { waitUntil } from './wait-until.js';

const MAIN = new URL('./receiver-process-main.ts', import.meta.url).pathname;

/**
 * The Devo receiver as a child process (mutual TLS, events appended to `<outDir>/<tag>.jsonl`): it can be
 * SIGKILLed mid-stream or stopped, and started again on the same port and files, and what it received is
 * read back from the file, so the accounting survives its death.
 */
export class ReceiverProcess {
  private child?: ChildProcess;
  private stdout = '';
  private stderr = '';
  /** The TLS port; picked at the first start and kept across restarts. */
  port = 0;

  constructor(private readonly dirs: { readonly certsDir: string; readonly outDir: string }) {}

  /** Starts the receiver; `stallAfterEvents` (counted from this start) makes it hold one batch unconfirmed. */
  async start(options: { stallAfterEvents?: number } = {}): Promise<void> {
    const child = reapOnExit(
      spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, JSON.stringify({ port: this.port, ...this.dirs, ...options })], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    this.child = child;
    this.stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    const listening = await waitUntil(() => /^listening (\d+)$/m.exec(this.stdout), { timeoutMs: 60_000, what: `the receiver to listen (stderr: ${this.stderr})` });
    this.port = Number(listening[1]);
  }

  /** Resolves with the event count once the receiver has stalled mid-stream. */
  async stalled(timeoutMs = 240_000): Promise<number> {
    const line = await waitUntil(() => /^stalled (\d+)$/m.exec(this.stdout), { timeoutMs, intervalMs: 50, what: 'the receiver to stall mid-stream' });
    return Number(line[1]);
  }

  /** SIGKILL: connections die without a close, as a crashed host would leave them. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM: the receiver stops listening and resets its connections, then exits. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  /** Every record received under `tag` so far, across restarts, in arrival order. */
  records(tag: string): TraceRecord[] {
    const file = join(this.dirs.outDir, `${tag}.jsonl`);
    if (!existsSync(file)) return [];
    // Only whole lines: a line torn by SIGKILL in the middle of a write was never stored.
    const text = readFileSync(file, 'utf8');
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    return whole
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse((JSON.parse(line) as { message: string }).message) as TraceRecord);
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }
}
