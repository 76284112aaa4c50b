import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAULT_BATCH, faultDataset, startFaultHarness, type FaultHarness } from '../helpers/fault-harness.js';
import { assertScenario, writeFaultTable } from '../helpers/fault-report.js';
import { waitUntil } from '../helpers/wait-until.js';
import { retryingActivities } from '../../client/status.js';

const graphAnswers = (h: FaultHarness, status: number) => h.emulator.stats().requests[`graph ${status}`] ?? 0;

/**
 * Each fault on the real stack (worker and receiver processes, a Temporal dev server, the Microsoft
 * emulator), each scenario over more than 20,000 records in 21 windows, accounted record by record
 * against the emulator's ground truth. The scenarios run side by side: most of their time goes on
 * waiting a fault out (activity timeouts, a 403 for minutes), not on work.
 */
describe('fault scenarios: nothing lost, duplicates within one batch per fault, no window skipped', { concurrency: true }, () => {
  const data = faultDataset();
  after(() => console.log(`\nfault scenarios (also in test-output/fault-table.md):\n${writeFaultTable()}\n`));

  it('a worker SIGKILLed in the middle of a send, and again in the middle of a page pull: a new worker process carries on', async (t) => {
    const h = await startFaultHarness(t, {
      scenario: 'worker SIGKILL mid-send, then mid-pull',
      data,
      receiverStallAfterEvents: 5_100, // about a quarter of the way through
      faults: [{ target: 'graph', kind: 'slow', delayMs: 600_000, skipRequests: 26 }],
    });
    // `retried` counts what only the replacement can do now: the held batch resent, the held page pulled again.
    const killAndReplace = async (what: string, retried: () => number) => {
      const before = retried();
      await h.workers.killAll();
      const killedAt = Date.now();
      h.note(what);
      h.workers.start();
      await waitUntil(() => retried() > before, { timeoutMs: 240_000, intervalMs: 250, what: `the work in hand retried after the ${what}` });
      t.diagnostic(`${what}: taken up by the new worker ${Math.round((Date.now() - killedAt) / 1000)} s after the kill`);
    };
    const held = await h.receiver.stalled();
    t.diagnostic(`the receiver holds a batch unconfirmed, ${held} events in`);
    await killAndReplace('worker SIGKILL mid-send', () => h.delivered());
    await waitUntil(() => h.emulator.faults.served().slow === 1, { timeoutMs: 480_000, what: 'a page pull held by the emulator' });
    const afterFirstKill = h.duplicates();
    await killAndReplace('worker SIGKILL mid-pull', () => Object.entries(h.emulator.stats().requests).reduce((n, [key, count]) => (key.startsWith('graph') ? n + count : n), 0));
    const result = await h.finish({ duplicateBound: 2 * FAULT_BATCH });
    assertScenario(result);
    // Pulling ahead means a send may be in flight at the mid-pull kill too; each kill still repeats one batch at most.
    t.diagnostic(`duplicates from the mid-send kill ${afterFirstKill}, from the mid-pull kill ${result.duplicates - afterFirstKill}`);
    assert.ok(afterFirstKill <= FAULT_BATCH && result.duplicates - afterFirstKill <= FAULT_BATCH, 'one batch per kill at most');
  });

  it('the Temporal dev server stopped and started again on its database file mid-run: the worker and the collector carry on', async (t) => {
    const h = await startFaultHarness(t, { scenario: 'Temporal server stopped and restarted', data, ownTemporal: true });
    const before = await h.waitForStatus((s) => s.totals.pages >= 12, 'a dozen pages delivered');
    await h.restartTemporal();
    h.note('Temporal restart');
    await h.waitForStatus((s) => s.totals.pages > before.totals.pages + 2, 'progress after the restart');
    assert.equal(h.workers.alive().length, 1, `the worker process rode out the restart: ${h.workers.stderr()}`);
    assertScenario(await h.finish({ duplicateBound: FAULT_BATCH }));
  });

  it('the Devo receiver SIGKILLed mid-stream, and later down for 30 s: sends are retried from the workflow, nothing lost', async (t) => {
    const h = await startFaultHarness(t, { scenario: 'Devo receiver SIGKILL mid-stream; down 30 s', data, receiverStallAfterEvents: 4_100 });
    const held = await h.receiver.stalled();
    await h.receiver.kill();
    t.diagnostic(`receiver killed while holding a batch unconfirmed, ${held} events in`);
    h.note('receiver SIGKILL mid-stream');
    await h.receiver.start();
    await h.waitForStatus((s) => s.totals.records >= 12_000, '12,000 records delivered');
    await h.receiver.stop();
    const downSince = Date.now();
    h.note('receiver down 30 s');
    await waitUntil(async () => {
      const retrying = await retryingActivities(h.client, h.handle);
      return retrying.some((a) => a.activity === 'sendToDevo' && a.attempt >= 2 && /ECONNREFUSED/.test(a.lastFailure ?? ''));
    }, { timeoutMs: 60_000, what: 'sendToDevo retrying against the closed port' });
    await sleep(Math.max(0, 30_000 - (Date.now() - downSince))); // the outage itself, not a wait for a condition
    await h.receiver.start();
    assertScenario(await h.finish({ duplicateBound: 2 * FAULT_BATCH }));
  });

  it('a 429 storm with Retry-After: pulls wait as told and carry on', async (t) => {
    const h = await startFaultHarness(t, {
      scenario: '429 storm with Retry-After',
      data,
      faults: [
        { target: 'graph', kind: 'throttle', retryAfterSeconds: 2, forMs: 20_000, skipRequests: 8 },
        { target: 'graph', kind: 'throttle', retryAfterSeconds: 1, count: 6, skipRequests: 15 },
      ],
    });
    assertScenario(await h.finish({ duplicateBound: 0 }));
    assert.ok(graphAnswers(h, 429) >= 10, JSON.stringify(h.emulator.stats().requests));
  });

  it('500 and 503 bursts from Graph and the token endpoint are retried through', async (t) => {
    const h = await startFaultHarness(t, {
      scenario: '500 / 503 bursts',
      data,
      faults: [
        { target: 'token', kind: 'unavailable', count: 2 },
        { target: 'graph', kind: 'server-error', count: 3, skipRequests: 6 },
        { target: 'graph', kind: 'unavailable', count: 3, retryAfterSeconds: 1, skipRequests: 10 },
        { target: 'graph', kind: 'server-error', count: 4, skipRequests: 10 },
      ],
    });
    assertScenario(await h.finish({ duplicateBound: 0 }));
    assert.deepEqual([graphAnswers(h, 500), graphAnswers(h, 503), h.emulator.stats().requests['token 503']], [7, 3, 2]);
  });

  it('a hung Graph response: the attempt times out and the page is pulled again', async (t) => {
    const h = await startFaultHarness(t, { scenario: 'hung response (timeout)', data, faults: [{ target: 'graph', kind: 'hang', skipRequests: 10 }] });
    assertScenario(await h.finish({ duplicateBound: 0 }));
  });

  it("Microsoft's HTML sign-in page with status 200, and JSON cut short, are retried", async (t) => {
    const h = await startFaultHarness(t, {
      scenario: 'HTML 200 page, malformed JSON',
      data,
      faults: [
        { target: 'graph', kind: 'html-sign-in', skipRequests: 5 },
        { target: 'graph', kind: 'malformed-json', skipRequests: 5 },
        { target: 'graph', kind: 'html-sign-in', count: 2, skipRequests: 10 },
        { target: 'graph', kind: 'malformed-json', count: 2, skipRequests: 10 },
      ],
    });
    assertScenario(await h.finish({ duplicateBound: 0 }));
  });

  it('tokens revoked in the middle of a window, three times: a fresh token, and the window goes on', async (t) => {
    // Pages of 25 make about 44 Graph requests a window, so revoking every token at the 11th, 52nd and 93rd
    // request lands inside windows 1, 2 and 3. Scripted by request count, not by watching status: a sample
    // that lagged behind a fast collector once revoked tokens after the last pull, and no 401 ever came.
    // The emulator has no quota here, so the budget is raised to match: 90 calls would take 5 minutes.
    const budget = { requests: 5_000, windowMs: 5 * 60_000, liveReserve: 10 };
    const revoke = (skipRequests: number) => ({ target: 'graph', kind: 'expire-tokens', skipRequests }) as const;
    const h = await startFaultHarness(t, { scenario: 'token expiry mid-window', data, settings: { pageSize: 25, budget }, faults: [revoke(10), revoke(40), revoke(40)] });
    assertScenario(await h.finish({ duplicateBound: 0 }));
    assert.equal(h.emulator.faults.pending().length, 0, 'all three revocations were served');
    assert.ok(graphAnswers(h, 401) >= 3, JSON.stringify(h.emulator.stats().requests));
    assert.ok(h.sampler.latest()!.totals.tokenFetches >= 4, 'one token at the start, one after each revocation');
  });

  it('the double-encoded skiptoken: each refused next link is recovered once by re-querying the rest of the window', async (t) => {
    const skiptoken = { target: 'graph', kind: 'double-encoded-skiptoken', skipRequests: 8 } as const;
    const h = await startFaultHarness(t, { scenario: 'double-encoded skiptoken', data, faults: [skiptoken, skiptoken, skiptoken] });
    assertScenario(await h.finish({ duplicateBound: 0 }));
    assert.equal(graphAnswers(h, 400), 3, 'each broken link was followed once, never in a loop');
    assert.equal(h.sampler.latest()!.totals.recoveredLinks, 3);
  });

  it('a 403 lasting three minutes: status shows the operator hint, the cursor waits, and collection resumes with nothing skipped', async (t) => {
    const h = await startFaultHarness(t, {
      scenario: '403 for 3 minutes',
      data,
      settings: { blockedRetryMs: 15_000 },
      faults: [{ target: 'graph', kind: 'forbidden', forMs: 180_000, skipRequests: 10 }],
    });
    const blocked = await h.waitForStatus((s) => s.phase === 'blocked', 'the collector blocked on the 403');
    assert.equal(blocked.lastError?.type, 'PermissionMissing');
    assert.match(blocked.lastError?.hint ?? '', /ExchangeMessageTrace\.Read\.All/);
    assertScenario(await h.finish({ duplicateBound: 0 }));
    const whileBlocked = h.sampler.samples.filter((s) => s.status.phase === 'blocked');
    assert.ok(whileBlocked.at(-1)!.atMs - whileBlocked[0]!.atMs >= 150_000, 'blocked for minutes, not one retry');
    assert.equal(new Set(whileBlocked.map((s) => s.status.cursor)).size, 1, 'the cursor stayed put while blocked');
  });
});
