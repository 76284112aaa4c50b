import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeRuns } from '../../bench/repeated-runs.js';

const run = (ratio: number, collector: number, records = 200_000) => ({ ratio, collectorRecordsPerSec: collector, bareRecordsPerSec: Math.round(collector / ratio), records });

describe('the bench summing up repeated runs', () => {
  it("reports the median run's figures, with every run's a/b and records/s in run order", () => {
    const summary = summarizeRuns([run(0.69, 16_244), run(0.59, 14_678), run(0.65, 17_174)]);
    assert.equal(summary.ratio, 0.65);
    assert.equal(summary.collectorRecordsPerSec, 17_174, 'the figures are one real run, not a mix');
    assert.equal(summary.records, 200_000, 'the rest of the run is carried along');
    assert.deepEqual(summary.repeat, { runs: 3, ratios: [0.69, 0.59, 0.65], collectorRecordsPerSec: [16_244, 14_678, 17_174], bareRecordsPerSec: [23_542, 24_878, 26_422] });
  });

  it('takes the lower middle run of an even count, and refuses none', () => {
    assert.equal(summarizeRuns([run(0.7, 1), run(0.5, 1), run(0.6, 1), run(0.8, 1)]).ratio, 0.6);
    assert.throws(() => summarizeRuns([]), /no runs/);
  });
});
