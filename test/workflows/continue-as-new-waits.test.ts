import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDevServer } from '../../dev-server/start-dev-server.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { pauseSignal, resumeSignal } from '../../workflows/messages.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { collectorFixture, type CollectorFixture } from '../helpers/collector-fixture.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';
import { waitUntil } from '../helpers/wait-until.js';

const MIN = 60_000;
/** The server suggests continue-as-new past this many events (production: thousands). */
const SUGGEST_AT = 50;
/**
 * No run may grow past this: the suggestion plus one blocked retry (about 11 events), or plus the signals
 * that land while the run is continuing as new (each one fails that attempt, so a burst adds a few more).
 */
const RUN_BOUND = 2 * SUGGEST_AT + 20;

// A server of this file's own, suggesting continue-as-new early, so that a collector waiting on an operator
// (blocked weeks on an expired secret, or paused) reaches the suggestion in seconds.
const server = await startDevServer({ dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_AT } });
process.env.TEMPORAL_ADDRESS = server.address;
after(() => server.stop());

/** Every run of the tenant's collector so far, with its history length. */
async function runsOf(f: CollectorFixture): Promise<{ runId: string; events: number }[]> {
  const runs: { runId: string; events: number }[] = [];
  for await (const execution of f.env.client.workflow.list({ query: `WorkflowId = 'o365-message-trace/${f.tenantId}'` })) {
    const description = await f.env.client.workflow.getHandle(execution.workflowId, execution.runId).describe();
    runs.push({ runId: execution.runId, events: description.historyLength });
  }
  return runs;
}

/** Waits until the collector has gone through `count` runs, saying how far it got if it never does. */
async function untilRuns(f: CollectorFixture, count: number): Promise<{ runId: string; events: number }[]> {
  let seen: { runId: string; events: number }[] = [];
  return waitUntil(
    async () => {
      seen = await runsOf(f);
      return seen.length >= count ? seen : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 1_000, what: `${count} runs`, explain: () => `runs and their events: ${JSON.stringify(seen.map((r) => r.events))}` },
  );
}

function assertBounded(runs: { events: number }[]): void {
  const events = runs.map((r) => r.events);
  assert.ok(events.every((n) => n <= RUN_BOUND), `every run stays under ${RUN_BOUND} events: ${JSON.stringify(events)}`);
}

describe('a collector waiting on an operator continues as new', () => {
  it('blocked on a refused permission: its history stays bounded over several runs, and once fixed every record arrives', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 30 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 400, startMs: start, endMs: now }), graphPermission: false });
    const { blockedRuns, caughtUp } = await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start), blockedRetryMs: 200 });
      const blockedRuns = await untilRuns(f, 4);
      const status = await f.waitForStatus(handle, (s) => s.phase === 'blocked');
      assert.equal(status.lastError?.type, 'PermissionMissing', 'still blocked, and saying why, in the newest run');
      assert.equal(status.cursor, iso(start), 'the cursor carried over unmoved');
      f.emulator.setPermissions({ graph: true });
      const caughtUp = await f.waitForStatus(handle, (s) => s.caughtUp);
      await handle.terminate('test done');
      return { blockedRuns, caughtUp };
    });
    const runs = await runsOf(f);
    t.diagnostic(`events per run, blocked: ${JSON.stringify(blockedRuns.map((r) => r.events))}; all runs: ${JSON.stringify(runs.map((r) => r.events))}`);
    assertBounded(blockedRuns);
    assertBounded(runs);
    const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(caughtUp.cursor)));
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length], [0, 0, 0], summary(account));
  });

  it('paused while messages keep arriving: its history stays bounded over several runs, and after resume every record arrives', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 30 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 400, startMs: start, endMs: now }) });
    const { pausedRuns, caughtUp } = await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start) });
      await handle.signal(pauseSignal, { reason: 'maintenance' });
      await f.waitForStatus(handle, (s) => s.phase === 'paused');
      // Each repeated pause request adds about four events to the waiting run, as operators' requests would.
      for (let i = 0; i < 100; i++) await handle.signal(pauseSignal, { reason: `again ${i}` });
      const pausedRuns = await untilRuns(f, 3);
      const status = await f.waitForStatus(handle, (s) => s.phase === 'paused');
      assert.equal(status.paused?.reason, 'maintenance', 'the pause, and its reason, carried over');
      await handle.signal(resumeSignal);
      const caughtUp = await f.waitForStatus(handle, (s) => s.caughtUp && !s.paused);
      await handle.terminate('test done');
      return { pausedRuns, caughtUp };
    });
    const runs = await runsOf(f);
    t.diagnostic(`events per run, paused: ${JSON.stringify(pausedRuns.map((r) => r.events))}; all runs: ${JSON.stringify(runs.map((r) => r.events))}`);
    assertBounded(pausedRuns);
    assertBounded(runs);
    const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(caughtUp.cursor)));
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length], [0, 0, 0], summary(account));
  });
});
