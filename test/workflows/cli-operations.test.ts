import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { requestBackfill } from '../../client/backfill.js';
import { createDataConverter } from '../../codec/data-converter.js';
import { requestProgress } from '../../client/backfill-progress.js';
import { lastRun } from '../../client/last-run.js';
import { resolveStart, startCollector } from '../../client/start-collector.js';
import { formatAllStatuses, getAllStatuses } from '../../client/status-all.js';
import type { Config } from '../../config/schema.js';
import { collectorWorkflowId } from '../../config/temporal.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { pauseSignal, resumeSignal, statusQuery } from '../../workflows/messages.js';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { REPLAY_KEY } from '../replay/history-files.js';
import { settledDataset } from '../helpers/ground-truth.js';

const MIN = 60_000;

/** Runs the real CLI against the test server without blocking this process, whose worker must answer its queries. */
async function o365Trace(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'o365-cli-'));
  const cli = [join(PROJECT_ROOT, 'client/cli.ts'), ...args];
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '', PAYLOAD_KEY: REPLAY_KEY.toString('base64') };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', import.meta.resolve('tsx'), ...cli], { cwd, env: { ...base, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('starting and watching collectors from the CLI functions', () => {
  it('a collector terminated by mistake restarts from its last cursor; --from-scratch starts from O365_START', async (t) => {
    const now = Date.now();
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 2_000, startMs: now - 3 * 60 * MIN, endMs: now }) });
    const { client } = f.env;
    const id = collectorWorkflowId(f.tenantId);
    await f.worker.runUntil(async () => {
      const first = await startCollector(client, f.config);
      assert.equal(first.started, true);
      assert.equal(first.start, iso(resolveStart(f.config, Date.now()).startMs));
      const caughtUp = await f.waitForStatus(client.workflow.getHandle(id), (s) => s.caughtUp);
      await client.workflow.getHandle(id).terminate('terminated by mistake');
      const closed = await lastRun(client, id);
      assert.equal(closed.state, 'closed');
      const cursor = closed.state === 'closed' ? closed.cursor : undefined;
      assert.ok(cursor && Date.parse(cursor) >= Date.parse(caughtUp.cursor), `cursor ${cursor} before ${caughtUp.cursor}`);

      const again = await startCollector(client, f.config);
      assert.equal(again.started, true);
      assert.equal(again.start, cursor, 'restarted from the last cursor, not from O365_START');
      assert.deepEqual(again.resumed && [again.resumed.execution, again.resumed.cursorFrom], ['terminated', 'search attribute']);
      assert.equal((await client.workflow.getHandle(id).query(statusQuery)).cursor, cursor);

      const attached = await startCollector(client, f.config);
      assert.deepEqual([attached.started, attached.runId], [false, again.runId], 'a running collector is left as it is');

      await client.workflow.getHandle(id).terminate('start over');
      const scratch = await startCollector(client, f.config, {}, { fromScratch: true });
      assert.equal(scratch.start, iso(resolveStart(f.config, Date.now()).startMs));
      assert.equal(scratch.resumed, undefined);
      await client.workflow.getHandle(id).terminate('test done');

      // Without the search attribute (a namespace where it is not registered) the closed run's status query answers.
      const noAttributes = await startCollector(client, f.config, { searchAttributes: false }, { fromScratch: true });
      const live = await f.waitForStatus(client.workflow.getHandle(id), (s) => s.totals.windows >= 2);
      await client.workflow.getHandle(id).terminate('terminated by mistake');
      const fromQuery = await startCollector(client, f.config, { searchAttributes: false });
      assert.equal(fromQuery.resumed?.cursorFrom, 'status query');
      assert.ok(Date.parse(fromQuery.start!) >= Date.parse(live.cursor), `${fromQuery.start} before ${live.cursor}`);
      assert.notEqual(fromQuery.runId, noAttributes.runId);
      await client.workflow.getHandle(id).terminate('test done');
    });
  });

  it('two starters at once make one run, and exactly one of them says it started it', async (t) => {
    const now = Date.now();
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 200, startMs: now - 3 * 60 * MIN, endMs: now }) });
    await f.worker.runUntil(async () => {
      const results = await Promise.all([startCollector(f.env.client, f.config), startCollector(f.env.client, f.config)]);
      assert.equal(results[0]!.runId, results[1]!.runId);
      assert.deepEqual(results.map((r) => r.started).sort(), [false, true]);
      const runs = [];
      for await (const run of f.env.client.workflow.list({ query: `WorkflowId="${collectorWorkflowId(f.tenantId)}"` })) runs.push(run);
      assert.equal(runs.length, 1);
      await f.env.client.workflow.getHandle(collectorWorkflowId(f.tenantId)).terminate('test done');
    });
  });

  it('a settings change goes with the start: to the running run, or to the run that replaces a closed one', async (t) => {
    const now = Date.now();
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 200, startMs: now - 3 * 60 * MIN, endMs: now }) });
    const { client } = f.env;
    const handle = client.workflow.getHandle(collectorWorkflowId(f.tenantId));
    await f.worker.runUntil(async () => {
      const first = await startCollector(client, f.config);
      const updated = await startCollector(client, f.config, {}, { change: { pageSize: 300 } });
      assert.deepEqual([updated.started, updated.runId, updated.answered], [false, first.runId, true]);
      assert.equal((await handle.query(statusQuery)).settings.pageSize, 300);
      await handle.terminate('closed between the status query of start --all and its update');
      const replaced = await startCollector(client, f.config, {}, { change: { windowMs: 10 * MIN } });
      assert.deepEqual([replaced.started, replaced.answered, replaced.resumed?.execution], [true, true, 'terminated']);
      assert.equal((await handle.query(statusQuery)).settings.windowMs, 10 * MIN);
      await handle.terminate('test done');
    });
  });

  it('status --all shows every collector; a second backfill request measures its own progress from 0%', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 60 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 2_000, startMs: start - 120 * MIN, endMs: now }) });
    const { client } = f.env;
    // A second collector on a queue no worker serves: listed, never run (this worker serves one tenant).
    const other: Config = { ...f.config, microsoft: { ...f.config.microsoft, tenantId: `${f.tenantId}-b`, start: iso(start) }, temporal: { ...f.config.temporal, taskQueue: `${f.taskQueue}-idle` } };
    await f.worker.runUntil(async () => {
      await startCollector(client, { ...f.config, microsoft: { ...f.config.microsoft, start: iso(start) } });
      await startCollector(client, other);
      const handle = client.workflow.getHandle(collectorWorkflowId(f.tenantId));
      await f.waitForStatus(handle, (s) => s.caughtUp);
      await client.workflow.getHandle(collectorWorkflowId(other.microsoft.tenantId)).terminate('terminated for the test');
      // A third started by a client holding another payload key: its memo is one this client cannot decrypt.
      const foreignClient = new Client({ connection: client.connection, dataConverter: createDataConverter(randomBytes(32)) });
      const foreign: Config = { ...other, microsoft: { ...other.microsoft, tenantId: `${f.tenantId}-c` } };
      await startCollector(foreignClient, foreign);
      await foreignClient.workflow.getHandle(collectorWorkflowId(foreign.microsoft.tenantId)).terminate('started under another payload key');

      const first = await requestBackfill(client, f.tenantId, iso(start - 60 * MIN), iso(start));
      await f.waitForStatus(handle, (s) => s.backfill?.pending.length === 0);
      await handle.signal(pauseSignal, { reason: 'hold the second request' });
      await f.waitForStatus(handle, (s) => s.phase === 'paused');
      const second = await requestBackfill(client, f.tenantId, iso(start - 120 * MIN), iso(start - 90 * MIN));
      const status = await handle.query(statusQuery);
      assert.ok(status.backfill!.progress >= 0.6, `cumulative progress ${status.backfill!.progress}`);
      assert.equal(requestProgress(second, status).fraction, 0, 'the new request starts at 0%');
      assert.equal(requestProgress(first, status).fraction, 1);

      const all = await getAllStatuses(client);
      const mine = all.filter((s) => s.tenantId.startsWith(f.tenantId));
      assert.deepEqual(
        mine.map((s) => [s.tenantId, s.execution, s.status?.phase]),
        [
          [f.tenantId, 'running', 'paused'],
          [other.microsoft.tenantId, 'terminated', undefined],
          [foreign.microsoft.tenantId, 'terminated', undefined],
        ],
      );
      const lines = formatAllStatuses(mine);
      assert.match(lines[0]!, new RegExp(`^${f.tenantId}\\s+paused \\(caught up\\)\\s+cursor \\S+:00Z  lag \\d+m(\\d+s)?  [\\d,]+ records  backfill 30m left in 1 range\\(s\\)$`), lines[0]);
      assert.match(lines[1]!, /terminated \(not running\)$/);
      const listed = await getAllStatuses(client, [f.tenantId, 'nobody']);
      assert.deepEqual(listed.map((s) => s.execution), ['running', 'not started']);
      await handle.signal(resumeSignal);
      await handle.terminate('test done');
    });
  });

  it('the commands print it: status with the workflow id, UI link and readable figures, status --all, and where start began', async (t) => {
    const now = Date.now();
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 2_000, startMs: now - 3 * 60 * MIN, endMs: now }) });
    const id = collectorWorkflowId(f.tenantId);
    const env = { O365_TENANT_ID: f.tenantId, TEMPORAL_TASK_QUEUE: f.taskQueue, TEMPORAL_UI_URL: 'https://temporal-ui.example.com/' };
    await f.worker.runUntil(async () => {
      const first = await startCollector(f.env.client, f.config);
      const caughtUp = await f.waitForStatus(f.env.client.workflow.getHandle(id), (s) => s.caughtUp && s.totals.records >= 1_000);
      const status = await o365Trace(['status'], env);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, new RegExp(`^workflow: ${id}$`, 'm'));
      assert.ok(status.stdout.includes(`ui: https://temporal-ui.example.com/namespaces/default/workflows/${encodeURIComponent(id)}/${first.runId}/history\n`), status.stdout);
      assert.match(status.stdout, /^cursor: \d{4}-\d\d-\d\dT\d\d:\d\d:00Z \(\d+m(\d+s)? behind now\)$/m);
      assert.match(status.stdout, /^totals: \d,\d{3} records/m);
      const json = JSON.parse((await o365Trace(['status', '--json'], env)).stdout) as { cursor: string; workflowId: string; uiLink: string };
      assert.equal(json.workflowId, id);
      assert.ok(Date.parse(json.cursor) >= Date.parse(caughtUp.cursor));
      const all = await o365Trace(['status', '--all', '--json'], env);
      const listed = (JSON.parse(all.stdout) as { collectors: { tenantId: string; execution: string }[] }).collectors;
      assert.deepEqual(listed.find((c) => c.tenantId === f.tenantId)?.execution, 'running');

      await f.env.client.workflow.getHandle(id).terminate('terminated by mistake');
      const restarted = await o365Trace(['start'], { ...env, O365_START: '2h' });
      assert.equal(restarted.code, 0, restarted.stderr);
      assert.match(restarted.stdout, new RegExp(`^started ${id} from \\S+Z, the last cursor of its terminated run ${first.runId} \\(read from its search attribute\\); --from-scratch starts from O365_START instead$`, 'm'));
      await f.env.client.workflow.getHandle(id).terminate('test done');
    });
  });
});
