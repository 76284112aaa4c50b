import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities/index.js';
import type { SendProgress, SendToDevoResult } from '../../contracts/activity-io.js';
import { DevoConnectionError, DevoTlsRejected } from '../../devo/errors.js';
import type { DevoEvent, DevoTransport } from '../../devo/transport.js';
import { devoActivityDeps } from '../helpers/devo-activity-deps.js';

const records = Array.from({ length: 23 }, (_, i) => ({ id: `m${i}`, recipientAddress: `r${i}@contoso.com`, receivedDateTime: '2026-11-24T10:00:00.1234567Z' }));
const input = { tenantId: 't', records, window: { startMs: 0, endMs: 300_000 }, page: 1 };
const deadLetters: unknown[] = [];

/** A transport that records what it confirmed and fails on the batches it is told to. */
function recordingTransport(failOn: (batch: number) => Error | undefined) {
  const confirmed: DevoEvent[][] = [];
  let calls = 0;
  const transport: DevoTransport = {
    description: 'memory',
    async sendBatch(events) {
      const error = failOn(calls++);
      if (error) throw error;
      confirmed.push(events);
      return { bytes: events.length };
    },
  };
  return { transport, confirmed };
}

const deps = (devo: DevoTransport) => devoActivityDeps(devo, { devoHostname: 'host', devoBatchSize: 5, deadLetter: async (rs) => void deadLetters.push(...rs) });

describe('sendToDevo', () => {
  it('heartbeats each confirmed batch, and a retried attempt resumes after the last one', async () => {
    const first = recordingTransport((batch) => (batch === 2 ? new DevoConnectionError('reset') : undefined));
    const env1 = new MockActivityEnvironment({ attempt: 1 });
    const beats: SendProgress[] = [];
    env1.on('heartbeat', (d: SendProgress) => beats.push(d));
    const failure = await env1.run(createActivities(deps(first.transport)).sendToDevo, input).catch((e: unknown) => e);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'DevoUnavailable');
    assert.equal(failure.nonRetryable, false);
    assert.deepEqual(beats, [{ confirmedBatches: 1 }, { confirmedBatches: 2 }]);

    const second = recordingTransport(() => undefined);
    const env2 = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: beats.at(-1) });
    const result = (await env2.run(createActivities(deps(second.transport)).sendToDevo, input)) as SendToDevoResult;
    const delivered = [...first.confirmed, ...second.confirmed].flat().map((e) => JSON.parse(Buffer.from(e.message).toString()) as { id: string });
    assert.deepEqual(delivered.map((r) => r.id), records.map((r) => r.id), 'every record once, in order');
    assert.equal(result.batches, 5);
    assert.equal(result.resent, 5, 'the batch in flight is counted as possibly repeated');
  });

  it('beats after every confirmed batch but the last, which the completion follows at once', async () => {
    const sink = recordingTransport(() => undefined);
    const env = new MockActivityEnvironment();
    const beats: SendProgress[] = [];
    env.on('heartbeat', (d: SendProgress) => beats.push(d));
    const result = (await env.run(createActivities(deps(sink.transport)).sendToDevo, input)) as SendToDevoResult;
    assert.equal(result.batches, 5);
    assert.deepEqual(beats, [1, 2, 3, 4].map((confirmedBatches) => ({ confirmedBatches })));
  });

  it('sends each record unchanged as the message, timestamped with its own received time', async () => {
    const sink = recordingTransport(() => undefined);
    await new MockActivityEnvironment().run(createActivities(deps(sink.transport)).sendToDevo, input);
    const events = sink.confirmed.flat();
    assert.deepEqual(events.map((e) => JSON.parse(Buffer.from(e.message).toString()) as unknown), records);
    assert.ok(events.every((e) => e.tag === 'cloud.office365.messagetracing' && e.timestamp === Date.parse('2026-11-24T10:00:00.123Z')));
  });

  it('dead-letters a record too large for one Devo event instead of cutting it, and sends the rest', async () => {
    const sink = recordingTransport(() => undefined);
    const huge = { id: 'huge', recipientAddress: 'x@contoso.com', subject: 'x'.repeat(300_000) };
    const result = (await new MockActivityEnvironment().run(createActivities(deps(sink.transport)).sendToDevo, { ...input, records: [...records, huge] })) as SendToDevoResult;
    assert.equal(result.oversize, 1);
    assert.deepEqual(deadLetters, [huge], 'the oversize record is kept in the dead-letter file, whole');
    assert.equal(sink.confirmed.flat().length, records.length);
  });

  it('a rejected certificate is non-retryable, typed DevoTlsRejected', async () => {
    const sink = recordingTransport(() => new DevoTlsRejected('tls://devo:443', 'client-certificate', 'handshake refused'));
    const failure = await new MockActivityEnvironment().run(createActivities(deps(sink.transport)).sendToDevo, input).catch((e: unknown) => e);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'DevoTlsRejected');
    assert.equal(failure.nonRetryable, true);
    assert.ok(failure.cause instanceof DevoTlsRejected);
  });
});
