import type { EmulatorStats } from './options.js';

/** Counts answers by `<endpoint> <status>` and the rows and pages served. */
export class StatsRecorder {
  private requests: Record<string, number> = {};
  private rowsServed = 0;
  private pagesServed = 0;

  /** Records one answer; `rows` is set only for a page served in full. */
  record(endpoint: string, status: number, rows?: number): void {
    const key = `${endpoint} ${status}`;
    this.requests[key] = (this.requests[key] ?? 0) + 1;
    if (rows !== undefined && status === 200) {
      this.rowsServed += rows;
      this.pagesServed++;
    }
  }

  /** A copy of the counters, safe to keep while more requests arrive. */
  snapshot(): EmulatorStats {
    return { requests: { ...this.requests }, rowsServed: this.rowsServed, pagesServed: this.pagesServed };
  }

  reset(): void {
    this.requests = {};
    this.rowsServed = 0;
    this.pagesServed = 0;
  }
}
