import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { reapOnExit } from '../helpers/child-reaper.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { collectorWorkflowId } from '../../config/temporal.js';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { generateCertificateSet, writeCertificateSet } from '../../devo/certificates.js';
import { startDevoReceiver } from '../../emulator/devo-receiver/index.js';
import { statusQuery } from '../../workflows/messages.js';
import type { CollectorStatus } from '../../workflows/state.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitUntil } from '../helpers/wait-until.js';
import { EMULATOR_ENDPOINTS, emulatedTenants, o365Trace, secretsEnv, tenantEntry, writeTenantsFile, type EmulatedTenant } from '../tenants/tenant-world.js';

// @temporalio/proto is CommonJS: its namespace comes through the default export under ESM.
const { temporal } = proto;
const MIN = 60_000;
const TAG = 'cloud.office365.messagetracing';
const WINDOW = 10 * MIN;
const BATCH = 100;

describe('scale: three tenants, two worker processes on one task queue', () => {
  it('one worker SIGKILLed midway; all three tenants catch up with nothing lost, each under its own Devo route', async (t) => {
    const env = await temporalTestEnv();
    const now = Date.now();
    const tenants = await emulatedTenants(t, ['alpha', 'bravo', 'charlie'].map((name) => ({ name, records: 4_000, startMs: now - 135 * MIN, endMs: now })));
    const [alpha, bravo, charlie] = tenants as [EmulatedTenant, EmulatedTenant, EmulatedTenant];

    // The default Devo domain (tenants alpha and bravo, told apart by tag suffix) and a separate domain
    // with certificates of another CA (charlie): each receiver accepts only client certificates of its own CA.
    const [shared, separate] = await Promise.all([generateCertificateSet(), generateCertificateSet({ commonName: 'separate domain CA' })]);
    const dir = mkdtempSync(join(tmpdir(), 'o365-scale-'));
    const sharedPaths = await writeCertificateSet(shared, join(dir, 'shared'));
    const separatePaths = await writeCertificateSet(separate, join(dir, 'separate'));
    const defaultDomain = await startDevoReceiver({ tls: { certs: shared } });
    const separateDomain = await startDevoReceiver({ tls: { certs: separate } });
    t.after(() => Promise.all([defaultDomain.close(), separateDomain.close()]));

    const charlieSecretFile = join(dir, 'charlie.secret');
    writeFileSync(charlieSecretFile, `${charlie.secret}\n`, { mode: 0o600 });
    const settings = { start: '2h', window: '10m', lag: '15m', pageSize: 200 };
    const file = writeTenantsFile([
      tenantEntry(alpha, { ...settings, devo: { tagSuffix: 'alpha' } }),
      tenantEntry(bravo, { ...settings, devo: { tagSuffix: 'bravo' } }),
      { ...tenantEntry(charlie, settings), clientSecretEnv: undefined, clientSecretFile: charlieSecretFile, devo: { cert: separatePaths.clientCert, key: separatePaths.clientKey, chain: separatePaths.caCert, address: '127.0.0.1', port: separateDomain.tlsPort } },
    ]);
    const taskQueue = uniqueTaskQueue(t.name);
    const clientEnv = { O365_TENANTS_FILE: file, ...EMULATOR_ENDPOINTS, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, PAYLOAD_KEY: env.payloadKey.toString('base64') };
    const workerEnv = {
      ...clientEnv,
      PATH: process.env.PATH ?? '',
      HOME: dir,
      ...secretsEnv([alpha, bravo]),
      DEVO_ADDRESS: '127.0.0.1',
      DEVO_PORT: String(defaultDomain.tlsPort),
      DEVO_CERT: sharedPaths.clientCert,
      DEVO_KEY: sharedPaths.clientKey,
      DEVO_CHAIN: sharedPaths.caCert,
      DEVO_BATCH_SIZE: String(BATCH),
      O365_DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'warn',
      TEMPORAL_LOG_LEVEL: 'WARN',
    };

    const workers: ChildProcess[] = [];
    let workerErrors = '';
    const startWorker = () => {
      const child = reapOnExit(spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'client/cli.ts'), 'worker'], { cwd: dir, env: workerEnv, stdio: ['ignore', 'ignore', 'pipe'] }));
      child.stderr?.on('data', (chunk: Buffer) => (workerErrors = (workerErrors + chunk.toString()).slice(-4000)));
      workers.push(child);
      return child;
    };
    t.after(() => workers.forEach((w) => w.kill('SIGKILL')));
    const [doomed, survivor] = [startWorker(), startWorker()];
    await waitUntil(async () => (await activityPollers(env, taskQueue)).size >= 2, { timeoutMs: 120_000, intervalMs: 500, what: 'both workers polling the task queue' });

    const started = await o365Trace(['start', '--all'], clientEnv);
    assert.equal(started.status, 0, started.stderr);
    assert.deepEqual(started.stdout.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' ')), tenants.map((x) => `started ${collectorWorkflowId(x.tenantId)}`));

    const statuses = () => Promise.all(tenants.map((x) => env.client.workflow.getHandle(collectorWorkflowId(x.tenantId)).query(statusQuery)));
    const waitAll = async (done: (all: CollectorStatus[]) => boolean, timeoutMs: number, what: string) => {
      try {
        return await waitUntil(async () => {
          const all = await statuses().catch(() => undefined);
          return all && done(all) ? all : undefined;
        }, { timeoutMs, intervalMs: 200, what });
      } catch (err) {
        throw new Error(`${(err as Error).message}; worker stderr: ${workerErrors.trim() || 'none'}`);
      }
    };
    const pages = (all: CollectorStatus[]) => all.reduce((sum, s) => sum + s.totals.pages, 0);
    // Midway: every tenant under way, about a fifth of all pages delivered, and the doomed worker has done its share.
    const beforeKill = await waitAll((all) => all.every((s) => s.totals.pages >= 2) && pages(all) >= 14, 120_000, 'every tenant under way');
    await waitUntil(async () => (await activityWorkers(env, tenants)).has(`${doomed.pid}@`), { timeoutMs: 60_000, intervalMs: 250, what: 'an activity run by the worker to be killed' });
    doomed.kill('SIGKILL');
    // A killed worker's activities are retried once their timeouts pass; the survivor takes them all.
    const done = await waitAll((all) => all.every((s) => s.caughtUp), 420_000, 'all three tenants caught up');
    await Promise.all(tenants.map((x) => env.client.workflow.getHandle(collectorWorkflowId(x.tenantId)).terminate('test done')));

    const routes: Array<[EmulatedTenant, typeof defaultDomain, string]> = [[alpha, defaultDomain, `${TAG}.alpha`], [bravo, defaultDomain, `${TAG}.bravo`], [charlie, separateDomain, TAG]];
    const lines = routes.map(([tenant, receiver, tag], i) => {
      const status = done[i]!;
      const startMs = Date.parse(status.cursor) - status.totals.windows * WINDOW;
      const expected = tenant.truth(startMs, Date.parse(status.cursor));
      const account = accountFor(receiver.eventsForTag(tag).map((e) => JSON.parse(e.message) as Record<string, unknown>), expected);
      assert.ok(expected.length >= 2_500, `${tenant.tenantId}: ${expected.length} records in range`);
      assert.deepEqual([account.missing.length, account.unexpected.length, account.altered.length], [0, 0, 0], `${tenant.tenantId}: ${summary(account)}`);
      assert.ok(account.duplicates <= BATCH, `${tenant.tenantId}: duplicates ${account.duplicates} within one batch (${BATCH})`);
      return `${tenant.tenantId.split('-')[0]}: ${summary(account)}`;
    });
    assert.deepEqual(Object.keys(defaultDomain.stats().byTag).sort(), [`${TAG}.alpha`, `${TAG}.bravo`], 'the default domain got only the suffixed tags');
    assert.deepEqual(Object.keys(separateDomain.stats().byTag), [TAG], "the separate domain got only charlie's records");

    const identities = await activityWorkers(env, tenants);
    assert.ok(identities.has(`${doomed.pid}@`) && identities.has(`${survivor.pid}@`), `both workers ran activities: ${[...identities].join(', ')}`);
    t.diagnostic(`${lines.join('; ')}; pages before the kill ${pages(beforeKill)}, after ${pages(done)}`);
  });
});

/** The pid prefixes (`<pid>@`) of the workers polling the task queue for activities. */
async function activityPollers(env: Awaited<ReturnType<typeof temporalTestEnv>>, taskQueue: string): Promise<Set<string>> {
  const { pollers } = await env.client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return new Set((pollers ?? []).map((p) => (p.identity ?? '').replace(/@.*$/, '@')).filter((id) => id !== '@'));
}

/** The pid prefixes (`<pid>@`) of the workers that started activities, from the collectors' histories. */
async function activityWorkers(env: Awaited<ReturnType<typeof temporalTestEnv>>, tenants: readonly EmulatedTenant[]): Promise<Set<string>> {
  const histories = await Promise.all(tenants.map((x) => env.client.workflow.getHandle(collectorWorkflowId(x.tenantId)).fetchHistory()));
  const identities = histories.flatMap((h) => (h.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.identity ?? '')).filter(Boolean);
  return new Set(identities.map((identity) => identity.replace(/@.*$/, '@')));
}
