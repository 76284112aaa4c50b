import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Kills `child` when this test process ends however it ends: a test file that times out is stopped by
 * the runner before its `after` hooks run, and an orphaned worker or receiver would go on running (one
 * kept a core busy for most of an hour, skewing every benchmark after it).
 */
export function reapOnExit(child: ChildProcess): ChildProcess {
  if (children.size === 0) {
    process.on('exit', killAll);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        killAll();
        process.exit(128 + (signal === 'SIGTERM' ? 15 : 2));
      });
    }
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
