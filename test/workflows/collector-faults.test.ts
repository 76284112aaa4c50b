import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alignDown, iso } from '../../time-windows/index.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';
import { waitUntil } from '../helpers/wait-until.js';
import { getStatus, retryingActivities } from '../../client/status.js';

const MIN = 60_000;

describe('the collector survives Microsoft faults without losing a record', () => {
  it('a 401 mid-window, a 429 with Retry-After: 2, a 503 and an HTML 200 are each survived', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 45 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 4_000, startMs: start, endMs: now }) });
    // An expired token stays refused: two requests in a row (the first may end a chunk early, the next surfaces it).
    f.emulator.faults.add({ target: 'graph', kind: 'unauthorized', count: 2, skipRequests: 2 });
    f.emulator.faults.add({ target: 'graph', kind: 'throttle', retryAfterSeconds: 2, skipRequests: 1 });
    f.emulator.faults.add({ target: 'graph', kind: 'unavailable', skipRequests: 1 });
    f.emulator.faults.add({ target: 'graph', kind: 'html-sign-in', skipRequests: 1 });
    const status = await f.collectUntilCaughtUp({ start: iso(start), pageSize: 200 });
    const served = f.emulator.stats().requests;
    for (const key of ['graph 401', 'graph 429', 'graph 503']) assert.ok((served[key] ?? 0) >= 1, `${key} was served: ${JSON.stringify(served)}`);
    assert.equal(f.emulator.faults.pending().length, 0, 'every scripted fault happened');
    assert.ok(status.totals.tokenFetches >= 2, 'the 401 led to a fresh token');
    const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(status.cursor)));
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length, account.altered.length], [0, 0, 0, 0], summary(account));
  });

  it('a 403 shows in status with an operator hint, and collection resumes once Microsoft stops refusing', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 40 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 2_000, startMs: start, endMs: now }), graphPermission: false });
    const status = await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start) });
      const blocked = await f.waitForStatus(handle, (s) => s.phase === 'blocked');
      assert.equal(blocked.lastError?.type, 'PermissionMissing');
      assert.match(blocked.lastError?.hint ?? '', /ExchangeMessageTrace\.Read\.All/);
      assert.equal(blocked.cursor, iso(start), 'the cursor stays put while blocked');
      f.emulator.setPermissions({ graph: true });
      const caughtUp = await f.waitForStatus(handle, (s) => s.caughtUp);
      await handle.terminate('test done');
      return caughtUp;
    });
    assert.equal(status.lastError, undefined, 'the error clears once a step succeeds');
    const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(status.cursor)));
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length], [0, 0, 0], summary(account));
  });

  it('a next link Microsoft refuses (the double-encoded skiptoken) is recovered by querying the rest of the window: nothing lost, nothing repeated', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 30 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 3_000, startMs: start, endMs: now }) });
    f.emulator.faults.add({ target: 'graph', kind: 'double-encoded-skiptoken', skipRequests: 1 });
    f.emulator.faults.add({ target: 'graph', kind: 'double-encoded-skiptoken', skipRequests: 4 });
    const status = await f.collectUntilCaughtUp({ start: iso(start), pageSize: 150 });
    assert.equal(f.emulator.faults.pending().length, 0, 'both broken links were handed out');
    // whether a broken link starts a pull or ends a chunk early, it is asked for once, never again
    assert.equal(f.emulator.stats().requests['graph 400'], 2, JSON.stringify(f.emulator.stats().requests));
    assert.equal(status.totals.recoveredLinks, 2);
    const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(status.cursor)));
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length, account.altered.length], [0, 0, 0, 0], summary(account));
  });

  it('expired tokens, malformed JSON and a 500 burst mid-run are survived without loss', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 40 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 3_000, startMs: start, endMs: now }) });
    f.emulator.faults.add({ target: 'graph', kind: 'expire-tokens', skipRequests: 3 });
    f.emulator.faults.add({ target: 'graph', kind: 'malformed-json', skipRequests: 2 });
    f.emulator.faults.add({ target: 'graph', kind: 'server-error', count: 3, skipRequests: 2 });
    const status = await f.collectUntilCaughtUp({ start: iso(start), pageSize: 200 });
    assert.equal(f.emulator.faults.pending().length, 0, 'every scripted fault happened');
    assert.ok((f.emulator.stats().requests['graph 500'] ?? 0) >= 3);
    assert.ok(status.totals.tokenFetches >= 2, 'a fresh token replaced the expired one');
    const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(status.cursor)));
    assert.deepEqual([account.missing.length, account.duplicates, account.unexpected.length, account.altered.length], [0, 0, 0, 0], summary(account));
  });

  it('the Devo receiver going down mid-run: nothing is lost or re-pulled, and once it is back every record arrives', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 40 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 3_000, startMs: start, endMs: now }) });
    const status = await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start), pageSize: 200 });
      await f.waitForStatus(handle, (s) => s.totals.pages >= 2);
      await f.receiver.stopListening();
      const deliveredWhenDown = f.delivered().length;
      // sendToDevo retries against the closed port, its attempts visible to any client (and the UI)
      let pendingSeen = 'none';
      await waitUntil(async () => {
        const retrying = await retryingActivities(f.env.client, handle);
        pendingSeen = retrying.map((a) => `${a.activity} attempt ${a.attempt}, last failure: ${a.lastFailure ?? 'none'}`).join(' | ') || 'none';
        return retrying.some((a) => a.activity === 'sendToDevo' && a.attempt >= 3 && /ECONNREFUSED/.test(a.lastFailure ?? ''));
      }, { what: 'sendToDevo retrying while Devo is down', timeoutMs: 60_000, intervalMs: 250, explain: () => `pending activities: ${pendingSeen}; ${f.delivered().length} records delivered, ${deliveredWhenDown} when Devo went down` });
      const stuck = await getStatus(f.env.client, f.tenantId);
      assert.ok(stuck.retrying?.some((r) => r.activity === 'sendToDevo' && /ECONNREFUSED/.test(r.lastFailure ?? '')), 'status shows the send being retried and why');
      assert.equal(f.delivered().length, deliveredWhenDown, 'nothing arrives while Devo is down');
      const apiCallsWhileDown = stuck.totals.apiCalls;
      await f.receiver.resumeListening();
      const caughtUp = await f.waitForStatus(handle, (s) => s.caughtUp);
      await handle.terminate('test done');
      // the page in hand was re-sent from history: the outage cost no extra Microsoft call
      assert.ok(caughtUp.totals.apiCalls - apiCallsWhileDown <= caughtUp.totals.pages - stuck.totals.pages);
      return caughtUp;
    });
    const account = accountFor(f.delivered(), graphTruth(f.emulator, start, Date.parse(status.cursor)));
    assert.equal(account.missing.length, 0, summary(account));
    assert.ok(account.duplicates <= f.config.devo.batchSize, summary(account));
  });
});
