import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitUntil } from '../helpers/wait-until.js';

/** Runs `o365-trace worker --health` (the compose healthcheck) in an empty directory: exit code and output. */
function health(vars: Record<string, string>): Promise<{ code: number; stdout: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'o365-health-'));
  const args = ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'client/cli.ts'), 'worker', '--health'];
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...vars };
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env, timeout: 120_000 }, (err, stdout) => {
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout });
    });
  });
}

describe('o365-trace worker --health', () => {
  it('fails while no worker on this host polls the task queue, and passes once one does', async (t) => {
    const env = await temporalTestEnv();
    const taskQueue = uniqueTaskQueue(t.name);
    const vars = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      O365_TENANT_ID: 'health-tenant',
      O365_CLIENT_ID: 'health-client',
      O365_CLIENT_SECRET: 'not-used',
      DEVO_TRANSPORT: 'relay',
      PAYLOAD_KEY: env.payloadKey.toString('base64'),
    };
    const idle = await health(vars);
    assert.deepEqual(idle, { code: 1, stdout: `unhealthy: no worker on ${hostname()} polled ${taskQueue} in the last 2 minutes\n` });

    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: env.workflowBundle, activities: {} });
    const passed = await worker.runUntil(() =>
      waitUntil(
        async () => {
          const result = await health(vars);
          return result.code === 0 ? result : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 1_000, what: 'the healthcheck to pass' },
      ),
    );
    assert.equal(passed.stdout, `healthy: a worker on ${hostname()} polled ${taskQueue} in the last 2 minutes\n`);
  });
});
