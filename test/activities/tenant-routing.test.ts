import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities/index.js';
import type { SendToDevoResult } from '../../contracts/activity-io.js';
import { loadConfig } from '../../config/schema.js';
import { startDevoReceiver, type DevoReceiver } from '../../emulator/devo-receiver/index.js';
import { activityDepsFromConfig } from '../../worker/activity-deps.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const records = Array.from({ length: 7 }, (_, i) => ({ id: `m${i}`, recipientAddress: `r${i}@contoso.com`, receivedDateTime: '2026-11-24T10:00:00Z' }));
const sendFor = (tenantId: string) => ({ tenantId, records, window: { startMs: 0, endMs: 300_000 }, page: 1 });

/**
 * Two single-tenant deployments sharing a namespace and task queue, each with its own Devo: the worker's
 * own configuration and wiring (loadConfig, activityDepsFromConfig), a real relay receiver each.
 */
function deployment(tenantId: string, receiver: () => DevoReceiver) {
  const config = () =>
    loadConfig({ O365_TENANT_ID: tenantId, O365_CLIENT_ID: `app-${tenantId}`, O365_CLIENT_SECRET: `secret-${tenantId}`, DEVO_TRANSPORT: 'relay', DEVO_ADDRESS: '127.0.0.1', DEVO_PORT: String(receiver().tcpPort), PAYLOAD_KEY: KEY }, 'worker');
  return () => createActivities(activityDepsFromConfig(config()));
}

function assertTenantNotServed(failure: unknown, tenantId: string): void {
  assert.ok(failure instanceof ApplicationFailure, String(failure));
  assert.equal(failure.type, 'TenantNotServed');
  assert.equal(failure.nonRetryable, false, 'retryable, so that a worker serving the tenant can take the retry');
  assert.equal(failure.cause?.name, 'TenantNotServedError');
  assert.match(failure.message, new RegExp(`^tenant ${tenantId} is not served by this worker \\(it serves tenant-b\\)`));
  assert.match(failure.message, /O365_TENANTS_FILE/);
  assert.match(failure.message, /TEMPORAL_TASK_QUEUE/);
  assert.ok(!failure.message.includes('secret-'), 'no secret in the message');
}

describe('activities for a tenant the worker does not serve', () => {
  let receiverA: DevoReceiver;
  let receiverB: DevoReceiver;
  before(async () => {
    receiverA = await startDevoReceiver({ tcp: { port: 0 } });
    receiverB = await startDevoReceiver({ tcp: { port: 0 } });
  });
  after(async () => {
    await receiverA.close();
    await receiverB.close();
  });
  const workerA = deployment('tenant-a', () => receiverA);
  const workerB = deployment('tenant-b', () => receiverB);

  it("a send for tenant A taken by tenant B's worker never reaches B's Devo, and its retry on A's worker delivers to A's", async () => {
    receiverA.clear();
    receiverB.clear();
    const failure = await new MockActivityEnvironment({ attempt: 1 }).run(workerB().sendToDevo, sendFor('tenant-a')).catch((e: unknown) => e);
    assert.equal(receiverB.stats().events, 0, "nothing of tenant A in B's Devo");
    assertTenantNotServed(failure, 'tenant-a');
    assert.equal(receiverA.stats().events, 0);

    const result = (await new MockActivityEnvironment({ attempt: 2 }).run(workerA().sendToDevo, sendFor('tenant-a'))) as SendToDevoResult;
    assert.equal(result.delivered, records.length);
    assert.deepEqual(receiverA.events().map((e) => (JSON.parse(e.message) as { id: string }).id), records.map((r) => r.id), "every record in A's Devo");
    assert.equal(receiverB.stats().events, 0);
  });

  it('fetchToken and pullPage for tenant A are refused the same way by B, before any request', async () => {
    const token = await new MockActivityEnvironment().run(workerB().fetchToken, { tenantId: 'tenant-a', source: 'graph' as const }).catch((e: unknown) => e);
    assertTenantNotServed(token, 'tenant-a');
    const pull = { tenantId: 'tenant-a', source: 'graph' as const, window: { startMs: 0, endMs: 300_000 }, pageSize: 10, accessToken: 'a-token-of-tenant-a', page: 1 };
    const pulled = await new MockActivityEnvironment().run(workerB().pullPage, pull).catch((e: unknown) => e);
    assertTenantNotServed(pulled, 'tenant-a');
  });

  it('a tenant id is the same tenant whatever its case', async () => {
    receiverA.clear();
    const result = (await new MockActivityEnvironment().run(workerA().sendToDevo, sendFor('TENANT-A'))) as SendToDevoResult;
    assert.equal(result.delivered, records.length);
    assert.equal(receiverA.events().length, records.length);
  });
});
