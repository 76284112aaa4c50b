/**
 * `npm run bench -- --repeat N`: the machine's speed drifts by 15 to 30% within minutes, so one run's a/b
 * says little. N runs in a row are summed up by the run whose a/b is the median, with every run's a/b
 * and records/s beside it.
 */

/** What each run reports (the fields the summary reads; the rest is carried along). */
export interface RunFigures {
  readonly ratio: number;
  readonly collectorRecordsPerSec: number;
  readonly bareRecordsPerSec: number;
}

/** The median run's figures (the lower middle one for an even count), and every run's, in run order. */
export function summarizeRuns<R extends RunFigures>(runs: readonly R[]): R & { repeat: { runs: number; ratios: number[]; collectorRecordsPerSec: number[]; bareRecordsPerSec: number[] } } {
  if (runs.length === 0) throw new Error('no runs to sum up');
  const byRatio = [...runs].sort((a, b) => a.ratio - b.ratio);
  const median = byRatio[Math.floor((byRatio.length - 1) / 2)]!;
  return {
    ...median,
    repeat: {
      runs: runs.length,
      ratios: runs.map((r) => r.ratio),
      collectorRecordsPerSec: runs.map((r) => r.collectorRecordsPerSec),
      bareRecordsPerSec: runs.map((r) => r.bareRecordsPerSec),
    },
  };
}
