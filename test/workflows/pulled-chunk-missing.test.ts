import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chunkInHistory, PulledChunkMissingError } from '../../activities/pulled-chunks.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';

const MIN = 60_000;

describe('a send whose pulled chunk is lost', () => {
  it('pulls that chunk again from the saved progress instead of resending the same input forever', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 30 * MIN, 5 * MIN);
    // The first two chunks sent are lost for good: in no worker's memory and (made to miss) not in history.
    // Sending them again can never work; pulling them again gives chunks under new pull ids, which are found.
    const lost = new Set<string>();
    const missing: string[] = [];
    const lookup = async (pulledBy: string) => {
      if (lost.size < 2) lost.add(pulledBy);
      if (!lost.has(pulledBy)) return chunkInHistory(pulledBy);
      missing.push(pulledBy);
      throw new PulledChunkMissingError(`the chunk of pull ${pulledBy} is in neither this worker's memory nor the run's history`);
    };
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 2_000, startMs: start, endMs: now }) }, 'graph', { pulledChunks: undefined, chunkInHistory: lookup });
    await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start), pageSize: 200 });
      const caughtUp = await f.waitForStatus(handle, (s) => s.caughtUp, 90_000);
      await handle.terminate('test done');

      assert.equal(lost.size, 2);
      assert.equal(missing.length, 2, `each lost chunk's send failed once, then it was pulled again: ${missing.join(', ')}`);
      assert.equal(caughtUp.lastError, undefined, 'the error clears once the chunk pulled again is sent');
      const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(caughtUp.cursor)));
      assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length, account.altered.length], [0, 0, 0, 0], summary(account));
      const served = f.emulator.stats().requests['graph 200'] ?? 0;
      assert.ok(served > caughtUp.totals.pages, `the lost chunks' pages were asked for again (${served} served for ${caughtUp.totals.pages} pages)`);
    });
  });
});
