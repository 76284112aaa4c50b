import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FaultScript, type FaultEndpoint } from '../../emulator/microsoft-365/faults.js';
import { RollingQuota } from '../../emulator/microsoft-365/quota.js';

/** Runs `n` requests to an endpoint through the script, consuming whatever matches; returns the kinds hit. */
function run(script: FaultScript, endpoint: FaultEndpoint, n: number): (string | undefined)[] {
  return Array.from({ length: n }, () => {
    const claim = script.match(endpoint);
    claim?.consume();
    return claim?.fault.kind;
  });
}

describe('the fault script', () => {
  it('applies faults for the same endpoint one after another, each after its own skip', () => {
    const script = new FaultScript(() => 0);
    script.add({ target: 'graph', kind: 'unauthorized', skipRequests: 2 });
    script.add([{ target: 'graph', kind: 'throttle', skipRequests: 1, count: 2 }, { target: 'any', kind: 'unavailable' }]);
    assert.deepEqual(run(script, 'graph', 8), [undefined, undefined, 'unauthorized', undefined, 'throttle', 'throttle', 'unavailable', undefined]);
    assert.deepEqual(script.pending(), []);
  });

  it('keeps faults for other endpoints waiting, and `any` matches whichever comes first', () => {
    const script = new FaultScript(() => 0);
    script.add([{ target: 'reporting', kind: 'server-error' }, { target: 'any', kind: 'slow' }]);
    assert.deepEqual(run(script, 'token', 2), ['slow', undefined]);
    assert.equal(script.pending().length, 1);
    assert.deepEqual(run(script, 'reporting', 1), ['server-error']);
  });

  it('a forMs fault hits every matching request for that long from its first hit', () => {
    let now = 1_000;
    const script = new FaultScript(() => now);
    script.add({ target: 'graph', kind: 'unavailable', forMs: 5_000, skipRequests: 1 });
    now = 50_000;
    assert.deepEqual(run(script, 'graph', 3), [undefined, 'unavailable', 'unavailable']);
    now += 4_999;
    assert.deepEqual(run(script, 'graph', 1), ['unavailable']);
    now += 1;
    assert.deepEqual(run(script, 'graph', 1), [undefined]);
    assert.deepEqual(script.pending(), []);
  });

  it('a double-encoded skiptoken fault only ever matches Graph, and stays until consumed', () => {
    const script = new FaultScript(() => 0);
    script.add({ target: 'any', kind: 'double-encoded-skiptoken' });
    assert.equal(script.match('reporting'), undefined);
    assert.equal(script.match('graph')?.fault.kind, 'double-encoded-skiptoken');
    assert.equal(script.pending().length, 1, 'not consumed yet');
  });

  it('refuses malformed faults with every problem named, and clear() empties the script', () => {
    const script = new FaultScript(() => 0);
    assert.throws(() => script.add({ target: 'mail' as 'graph', kind: 'explode' as 'hang', count: 0 }), /target.*kind.*count/);
    assert.throws(() => script.add({ target: 'graph', kind: 'hang', count: 1, forMs: 10 }), /count or forMs/);
    script.add({ target: 'graph', kind: 'hang' });
    script.clear();
    assert.deepEqual(script.pending(), []);
  });
});

describe('the rolling quota', () => {
  it('admits N per window per tenant and names the seconds until the oldest slot frees', () => {
    const quota = new RollingQuota({ requests: 3, windowMs: 60_000 });
    assert.ok(quota.take('a', 0).ok && quota.take('a', 10_000).ok && quota.take('a', 20_000).ok);
    assert.deepEqual(quota.take('a', 30_000), { ok: false, retryAfterSeconds: 30 });
    assert.ok(quota.take('b', 30_000).ok, 'another tenant has its own budget');
    assert.deepEqual(quota.take('a', 59_500), { ok: false, retryAfterSeconds: 1 });
    assert.ok(quota.take('a', 60_000).ok, 'the first slot freed exactly one window later');
    assert.deepEqual(quota.take('a', 60_000), { ok: false, retryAfterSeconds: 10 });
  });

  it('null means no quota at all', () => {
    const quota = new RollingQuota(null);
    for (let i = 0; i < 1000; i++) assert.ok(quota.take('a', 0).ok);
  });
});
