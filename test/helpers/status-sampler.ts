import { setTimeout as sleep } from 'node:timers/promises';
import type { CollectorStatus } from '../../workflows/state.js';

/** One answer of the status query, and when it came. */
export interface StatusSample {
  readonly atMs: number;
  readonly status: CollectorStatus;
}

/**
 * Asks the status query over and over while a scenario runs, so the cursor's path can be checked
 * afterwards, not only its end. Failed queries (no live worker, server restarting) are skipped.
 */
export class StatusSampler {
  readonly samples: StatusSample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(query: () => Promise<CollectorStatus>, intervalMs = 500) {
    this.loop = (async () => {
      while (this.running) {
        const status = await query().catch(() => undefined);
        if (status) this.samples.push({ atMs: Date.now(), status });
        await sleep(intervalMs);
      }
    })();
  }

  /** The latest answer, if any came yet. */
  latest(): CollectorStatus | undefined {
    return this.samples.at(-1)?.status;
  }

  async stop(): Promise<StatusSample[]> {
    this.running = false;
    await this.loop;
    return this.samples;
  }
}

/** The cursor never went back, and always sat on a window edge counted from the start. */
export function cursorIsMonotone(samples: readonly StatusSample[], startMs: number, windowMs: number): boolean {
  let previous = startMs;
  for (const { status } of samples) {
    const cursorMs = Date.parse(status.cursor);
    if (cursorMs < previous || (cursorMs - startMs) % windowMs !== 0) return false;
    previous = cursorMs;
  }
  return true;
}
