import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { backfillUpdate, pauseSignal, resumeSignal, settingsUpdate } from '../../workflows/messages.js';
import type { Fault } from '../../emulator/microsoft-365/faults.js';
import { collectorFixture, type CollectorFixture } from '../helpers/collector-fixture.js';
import { settledDataset } from '../helpers/ground-truth.js';
import { stopTemporalTestEnv, temporalTestEnv } from '../helpers/temporal.js';

/**
 * Records the replay fixtures: representative collector runs on a dev server, saved as JSON histories
 * in test/replay/histories/. Run by hand after a deliberate workflow change that is patched:
 * `npx tsx test/replay/record-histories.ts <name...>`. Existing files are never overwritten: they are what
 * collectors started by older code hold, so a new behaviour gets a new recording beside them.
 */
const MIN = 60_000;
const cleanups: (() => Promise<void> | void)[] = [];
const context = (name: string) => ({ name, after: (fn: () => Promise<void> | void) => cleanups.push(fn) }) as unknown as TestContext;

const wanted = process.argv.slice(2);

async function record(name: string, run: (t: TestContext) => Promise<{ workflowId: string; runId?: string }>): Promise<void> {
  const file = join(PROJECT_ROOT, 'test/replay/histories', `${name}.json`);
  if (wanted.length > 0 && !wanted.includes(name)) return;
  if (existsSync(file)) {
    console.log(`kept ${name}: already recorded (delete the file to record it again on purpose)`);
    return;
  }
  const { workflowId, runId } = await run(context(name));
  const env = await temporalTestEnv();
  const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  writeFileSync(file, historyToJSON(history) + '\n');
  console.log(`recorded ${name}: ${history.events?.length} events`);
}

await record('graph-live-faults', async (t) => {
  const now = Date.now();
  const start = alignDown(now - 45 * MIN, 5 * MIN);
  const f = await collectorFixture(t, { dataset: settledDataset({ records: 1_500, startMs: start, endMs: now }) });
  f.emulator.faults.add({ target: 'graph', kind: 'unauthorized', skipRequests: 2 });
  f.emulator.faults.add({ target: 'graph', kind: 'throttle', retryAfterSeconds: 1, skipRequests: 1 });
  return f.worker.runUntil(async () => {
    const handle = await f.start({ start: iso(start), pageSize: 200 });
    await f.waitForStatus(handle, (s) => s.caughtUp);
    await handle.terminate('recorded');
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  });
});

await record('reporting-backfill-pause-403', async (t) => {
  const now = Date.now();
  const start = alignDown(now - 40 * MIN, 5 * MIN);
  const f = await collectorFixture(t, { dataset: settledDataset({ records: 1_500, startMs: start - 30 * MIN, endMs: now }), reportingPermission: false }, 'reporting');
  return f.worker.runUntil(async () => {
    const handle = await f.start({ start: iso(start) });
    await f.waitForStatus(handle, (s) => s.phase === 'blocked');
    f.emulator.setPermissions({ reporting: true });
    await f.waitForStatus(handle, (s) => s.caughtUp);
    await handle.signal(pauseSignal, { reason: 'recording' });
    await f.waitForStatus(handle, (s) => s.phase === 'paused');
    await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(start - 30 * MIN), to: iso(start) }] });
    await handle.signal(resumeSignal);
    await f.waitForStatus(handle, (s) => (s.backfill?.pending.length ?? 1) === 0);
    await handle.terminate('recorded');
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  });
});

await record('graph-continue-as-new', async (t) => {
  const now = Date.now();
  const start = alignDown(now - 40 * MIN, 5 * MIN);
  const f = await collectorFixture(t, { dataset: settledDataset({ records: 800, startMs: start, endMs: now }) });
  return f.worker.runUntil(async () => {
    const handle = await f.start({ start: iso(start), testContinueAsNewEveryWindows: 2 });
    // the first run ends with continue-as-new after two windows; its history is the fixture
    await f.waitForStatus(f.env.client.workflow.getHandle(handle.workflowId), (s) => s.caughtUp);
    await f.env.client.workflow.getHandle(handle.workflowId).terminate('recorded');
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  });
});

// Since continue-as-new-from-waits and bounded-backfill-ranges: blocked on a 403 until fixed, paused with an
// over-long reason, two backfill requests a minute apart that merge, answered with a summary.
await record('graph-blocked-pause-bounded-backfill', async (t) => {
  const now = Date.now();
  const start = alignDown(now - 40 * MIN, 5 * MIN);
  const f = await collectorFixture(t, { dataset: settledDataset({ records: 1_000, startMs: start - 30 * MIN, endMs: now }), graphPermission: false });
  return f.worker.runUntil(async () => {
    const handle = await f.start({ start: iso(start) });
    await f.waitForStatus(handle, (s) => s.phase === 'blocked');
    f.emulator.setPermissions({ graph: true });
    await f.waitForStatus(handle, (s) => s.caughtUp);
    await handle.signal(pauseSignal, { reason: `recording\n${'x'.repeat(1_000)}` });
    await f.waitForStatus(handle, (s) => s.phase === 'paused');
    await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(start - 30 * MIN), to: iso(start - 20 * MIN) }] });
    await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(start - 19 * MIN), to: iso(start - 10 * MIN) }] });
    await handle.signal(resumeSignal);
    await f.waitForStatus(handle, (s) => (s.backfill?.pending.length ?? 1) === 0);
    await handle.terminate('recorded');
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  });
});

type CollectorHandle = Awaited<ReturnType<CollectorFixture['start']>>;

/**
 * A Graph collector that catches up from `liveMin` minutes ago, then backfills the `backfillMin` minutes
 * before that, with `faults` planted in the emulator; terminated once the backfill is done.
 */
function catchUpThenBackfill(options: { records: number; liveMin: number; backfillMin: number; pageSize: number; faults: Fault[]; beforeCatchUp?: (handle: CollectorHandle) => Promise<unknown> }) {
  return async (t: TestContext) => {
    const now = Date.now();
    const start = alignDown(now - options.liveMin * MIN, 5 * MIN);
    const from = start - options.backfillMin * MIN;
    const f = await collectorFixture(t, { dataset: settledDataset({ records: options.records, startMs: from, endMs: now }) });
    f.emulator.faults.add(options.faults);
    return f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start), pageSize: options.pageSize });
      await options.beforeCatchUp?.(handle);
      await f.waitForStatus(handle, (s) => s.caughtUp);
      await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(from), to: iso(start) }] });
      await f.waitForStatus(handle, (s) => (s.backfill?.pending.length ?? 1) === 0);
      await handle.terminate('recorded');
      return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
    });
  };
}

await record(
  'graph-pipelined-settings-backfill',
  catchUpThenBackfill({
    records: 2_000,
    liveMin: 40,
    backfillMin: 30,
    pageSize: 150,
    faults: [{ target: 'graph', kind: 'server-error', skipRequests: 3 }],
    beforeCatchUp: (handle) => handle.executeUpdate(settingsUpdate, { args: [{ pageSize: 250, lagMs: 10 * MIN }] }),
  }),
);

// a later page of a chunk fails (the chunk ends early), then an expired token is refused twice
await record(
  'graph-page-chunks',
  catchUpThenBackfill({
    records: 1_500,
    liveMin: 30,
    backfillMin: 15,
    pageSize: 40,
    faults: [
      { target: 'graph', kind: 'unavailable', skipRequests: 2 },
      { target: 'graph', kind: 'unauthorized', count: 2, skipRequests: 4 },
    ],
  }),
);

// packed pages carried as binary payloads (codec/payload-converter.ts), through a mid-chunk 503 and a backfill
await record('graph-binary-pages', catchUpThenBackfill({ records: 1_500, liveMin: 30, backfillMin: 15, pageSize: 40, faults: [{ target: 'graph', kind: 'unavailable', skipRequests: 3 }] }));

for (const cleanup of cleanups.reverse()) await cleanup();
// process.exit skips node:test's after hooks, which would otherwise stop the dev server.
await stopTemporalTestEnv();
process.exit(0);
