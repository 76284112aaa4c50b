import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';

/**
 * `o365-trace worker` processes started with one environment (the configuration a deployment would give
 * them), which a test can SIGKILL and replace. The stderr of all of them is kept (its tail) for error
 * messages.
 */
export class WorkerProcesses {
  private readonly children: ChildProcess[] = [];
  private stderrTail = '';

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Starts one more worker process; it bundles the workflow code, then polls the task queue. */
  start(): ChildProcess {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'client/cli.ts'), 'worker'], { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000)));
    this.children.push(child);
    return child;
  }

  /** The workers that have not exited. */
  alive(): ChildProcess[] {
    return this.children.filter((c) => c.exitCode === null && c.signalCode === null);
  }

  /** SIGKILLs every live worker, as a machine dying would (no drain, no goodbye to the server). */
  async killAll(): Promise<void> {
    await Promise.all(
      this.alive().map(async (child) => {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
  }

  /** The last few kilobytes the workers wrote to stderr. */
  stderr(): string {
    return this.stderrTail.trim() || 'none';
  }
}
