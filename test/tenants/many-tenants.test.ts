import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { startOrUpdateCollector } from '../../client/start-collector.js';
import { loadConfig } from '../../config/schema.js';
import { collectorWorkflowId } from '../../config/temporal.js';
import { writeCertificateSet } from '../../devo/certificates.js';
import { startDevoReceiver, type DevoReceiver } from '../../emulator/devo-receiver/index.js';
import { activityDepsFromConfig } from '../../worker/activity-deps.js';
import { createCollectorWorker } from '../../worker/create-worker.js';
import { statusQuery } from '../../workflows/messages.js';
import type { CollectorStatus } from '../../workflows/state.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { testCertificates } from '../helpers/certificates.js';
import { temporalTestEnv, uniqueTaskQueue, type TemporalTestEnv } from '../helpers/temporal.js';
import { waitUntil } from '../helpers/wait-until.js';
import { EMULATOR_ENDPOINTS, emulatedTenants, o365Trace, secretsEnv, tenantEntry, writeTenantsFile, type EmulatedTenant } from './tenant-world.js';

const MIN = 60_000;
const TAG = 'cloud.office365.messagetracing';
const SETTINGS = { start: '1h', window: '5m', lag: '15m', pageSize: 500 };

/** A worker serving every tenant of the file from one task queue, with a real TLS receiver behind it. */
async function tenantsWorker(t: TestContext, file: string, tenants: readonly EmulatedTenant[]) {
  const env = await temporalTestEnv();
  const certs = await testCertificates();
  const paths = await writeCertificateSet(certs, mkdtempSync(join(tmpdir(), 'o365-tenants-certs-')));
  const receiver = await startDevoReceiver({ tls: { certs } });
  t.after(() => receiver.close());
  const taskQueue = uniqueTaskQueue(t.name);
  const clientEnv = { O365_TENANTS_FILE: file, ...EMULATOR_ENDPOINTS, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, PAYLOAD_KEY: env.payloadKey.toString('base64') };
  const workerEnv = { ...clientEnv, ...secretsEnv(tenants), DEVO_ADDRESS: '127.0.0.1', DEVO_PORT: String(receiver.tlsPort), DEVO_CERT: paths.clientCert, DEVO_KEY: paths.clientKey, DEVO_CHAIN: paths.caCert };
  const config = loadConfig(workerEnv, 'worker');
  const worker = await createCollectorWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    dataConverter: env.dataConverter,
    deps: activityDepsFromConfig(config),
    workflowBundle: env.workflowBundle,
  });
  return { env, receiver, worker, config, clientEnv };
}

function statusOf(env: TemporalTestEnv, tenant: EmulatedTenant): Promise<CollectorStatus> {
  return env.client.workflow.getHandle(collectorWorkflowId(tenant.tenantId)).query(statusQuery);
}

async function waitForStatus(env: TemporalTestEnv, tenant: EmulatedTenant, done: (s: CollectorStatus) => boolean): Promise<CollectorStatus> {
  return waitUntil(async () => {
    const status = await statusOf(env, tenant);
    return done(status) ? status : undefined;
  }, { timeoutMs: 240_000, intervalMs: 250, what: `status of ${tenant.tenantId}` });
}

/** Records delivered under `tag`, against the tenant's ground truth from `fromMs` to its cursor. */
function accountTenant(receiver: DevoReceiver, tag: string, tenant: EmulatedTenant, fromMs: number, status: CollectorStatus) {
  const delivered = receiver.eventsForTag(tag).map((e) => JSON.parse(e.message) as Record<string, unknown>);
  return accountFor(delivered, tenant.truth(fromMs, Date.parse(status.cursor)));
}

/** Where the collector started: its cursor less the windows it completed (all of the file's 5 minutes). */
function startOf(status: CollectorStatus): number {
  return Date.parse(status.cursor) - status.totals.windows * 5 * MIN;
}

async function updatesIn(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

async function terminateAll(env: TemporalTestEnv, tenants: readonly EmulatedTenant[]): Promise<void> {
  await Promise.all(tenants.map((tenant) => env.client.workflow.getHandle(collectorWorkflowId(tenant.tenantId)).terminate('test done').catch(() => undefined)));
}

describe('many tenants from one tenants file', () => {
  it('start --all starts one collector per tenant, leaves matching ones alone, and updates the one whose settings changed', async (t) => {
    const now = Date.now();
    const from = now - 75 * MIN;
    const tenants = await emulatedTenants(t, ['alpha', 'bravo'].map((name) => ({ name, records: 1_500, startMs: from, endMs: now })));
    const [alpha, bravo] = tenants as [EmulatedTenant, EmulatedTenant];
    const entries = [tenantEntry(alpha, { ...SETTINGS, devo: { tagSuffix: 'alpha' } }), tenantEntry(bravo, { ...SETTINGS, devo: { tagSuffix: 'bravo' } })];
    const file = writeTenantsFile(entries);
    const { env, receiver, worker, clientEnv } = await tenantsWorker(t, file, tenants);
    await worker.runUntil(async () => {
      const first = await o365Trace(['start', '--all'], clientEnv);
      assert.equal(first.status, 0, first.stderr);
      assert.deepEqual(first.stdout.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' ')), [`started ${collectorWorkflowId(alpha.tenantId)}`, `started ${collectorWorkflowId(bravo.tenantId)}`]);
      const caughtUp = await Promise.all(tenants.map((tenant) => waitForStatus(env, tenant, (s) => s.caughtUp)));
      tenants.forEach((tenant, i) => {
        const account = accountTenant(receiver, `${TAG}.${['alpha', 'bravo'][i]}`, tenant, startOf(caughtUp[i]!), caughtUp[i]!);
        assert.deepEqual([account.missing.length, account.unexpected.length, account.duplicates], [0, 0, 0], `${tenant.tenantId}: ${summary(account)}`);
        assert.ok(account.expected > 500, `${tenant.tenantId}: ${account.expected} records in range`);
      });

      const again = await o365Trace(['start', '--all'], clientEnv);
      assert.deepEqual(again.stdout.trim().split('\n'), [`unchanged ${collectorWorkflowId(alpha.tenantId)}`, `unchanged ${collectorWorkflowId(bravo.tenantId)}`], again.stderr);

      entries[1] = tenantEntry(bravo, { ...SETTINGS, window: '10m', budget: { requests: 60, window: '5m', liveReserve: 5 }, devo: { tagSuffix: 'bravo' } });
      writeTenantsFile(entries, file);
      const changed = await o365Trace(['start', '--all'], clientEnv);
      assert.deepEqual(changed.stdout.trim().split('\n'), [
        `unchanged ${collectorWorkflowId(alpha.tenantId)}`,
        `updated   ${collectorWorkflowId(bravo.tenantId)}: window 5m -> 10m, budget 90/5m -> 60/5m`,
      ], changed.stderr);
      const bravoNow = await statusOf(env, bravo);
      assert.deepEqual([bravoNow.settings.windowMs, bravoNow.budget.limit], [10 * MIN, 60]);
      assert.deepEqual(
        await Promise.all(tenants.map((tenant) => updatesIn(env.client.workflow.getHandle(collectorWorkflowId(tenant.tenantId))))),
        [0, 1],
        'an unchanged collector gets no update; the changed one exactly one',
      );
      await terminateAll(env, tenants);
    });
  });

  it("one tenant's exhausted API budget does not hold another tenant back", async (t) => {
    const now = Date.now();
    const from = now - 75 * MIN;
    const hour = { requests: 2, windowMs: 60 * MIN };
    const tenants = await emulatedTenants(t, [
      { name: 'free', records: 1_500, startMs: from, endMs: now },
      // Microsoft's quota for this tenant as tight as the collector's budget for it: two calls an hour.
      { name: 'starved', records: 1_500, startMs: from, endMs: now, quota: hour },
    ]);
    const [free, starved] = tenants as [EmulatedTenant, EmulatedTenant];
    const file = writeTenantsFile([
      tenantEntry(free, { ...SETTINGS, devo: { tagSuffix: 'free' } }),
      tenantEntry(starved, { ...SETTINGS, budget: { requests: 2, window: '1h', liveReserve: 1 }, devo: { tagSuffix: 'starved' } }),
    ]);
    const { env, receiver, worker, config } = await tenantsWorker(t, file, tenants);
    await worker.runUntil(async () => {
      for (const tenant of config.tenants!) await startOrUpdateCollector(env.client, config, tenant);
      const starvedStatus = await waitForStatus(env, starved, (s) => s.budget.used >= 2 && s.phase === 'waiting');
      const freeDone = await waitForStatus(env, free, (s) => s.caughtUp);
      const starvedLater = await statusOf(env, starved);

      assert.ok(freeDone.totals.apiCalls >= 9, `the free tenant made ${freeDone.totals.apiCalls} calls while the other waited`);
      assert.deepEqual([starvedLater.caughtUp, starvedLater.totals.apiCalls, starvedLater.cursor], [false, 2, starvedStatus.cursor], 'the starved tenant is still waiting for its budget');
      const requests = starved.emulator.stats().requests;
      assert.deepEqual([requests['graph 200'], requests['graph 429'] ?? 0], [2, 0], 'two calls, within its quota, no 429');
      const freeAccount = accountTenant(receiver, `${TAG}.free`, free, startOf(freeDone), freeDone);
      assert.deepEqual([freeAccount.missing.length, freeAccount.unexpected.length, freeAccount.duplicates], [0, 0, 0], summary(freeAccount));
      const starvedAccount = accountTenant(receiver, `${TAG}.starved`, starved, startOf(starvedLater), starvedLater);
      assert.deepEqual([starvedAccount.missing.length, starvedAccount.unexpected.length], [0, 0], `what the starved tenant delivered is complete: ${summary(starvedAccount)}`);
      t.diagnostic(`free: ${freeDone.totals.apiCalls} calls, ${freeAccount.delivered} records; starved: ${starvedLater.totals.apiCalls} calls, ${starvedAccount.delivered} records, budget ${starvedLater.budget.used}/${starvedLater.budget.limit}`);
      await terminateAll(env, tenants);
    });
  });
});
