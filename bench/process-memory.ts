import { readFileSync } from 'node:fs';

/** A process's peak resident set size so far (Linux VmHWM), in MB; undefined where /proc is missing. */
export function peakRssMB(pid: number): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
  } catch {
    return undefined;
  }
}
