import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { codecKey, isEncrypted, KEY_ID_KEY } from '../../codec/codec.js';
import { createCodec, createDataConverter, dataConverterFor } from '../../codec/data-converter.js';
import { loadConfig } from '../../config/schema.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { backfillUpdate, pauseSignal, resumeSignal, statusQuery } from '../../workflows/messages.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { settledDataset } from '../helpers/ground-truth.js';
import { waitUntil } from '../helpers/wait-until.js';

const MIN = 60_000;
const { EventType } = proto.temporal.api.enums.v1;

/** Every encrypted payload of a history, found by walking its events. */
function encryptedPayloads(value: unknown, found: Payload[] = []): Payload[] {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return found;
  const payload = value as Payload;
  if (payload.metadata && payload.data && isEncrypted(payload)) found.push(payload);
  else for (const child of Object.values(value)) encryptedPayloads(child, found);
  return found;
}

const keyIdOf = (payload: Payload): string => Buffer.from(payload.metadata![KEY_ID_KEY]!).toString();

describe('payload key rotation', () => {
  it('a collector started under key A carries on under workers given PAYLOAD_KEY=B and PAYLOAD_KEY_PREVIOUS=A, and stalls, saying why, without A', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 40 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 600, startMs: start, endMs: now }) });
    const keyA = f.env.payloadKey;
    const keyB = randomBytes(32);
    const handle = await f.worker.runUntil(async () => {
      const started = await f.start({ start: iso(start) });
      await f.waitForStatus(started, (s) => s.caughtUp);
      return started;
    });
    const written = (await handle.fetchHistory()).events!.length;

    // B alone: the history written under A cannot be read. The worker's workflow task fails, naming the
    // variable to set, and a client with B alone cannot read the collector's input either.
    const onlyB = await f.workerWith(createDataConverter(keyB));
    await onlyB.runUntil(async () => {
      const clientB = new Client({ connection: f.env.client.connection, dataConverter: createDataConverter(keyB) });
      await clientB.workflow.getHandle(handle.workflowId).signal(pauseSignal, { reason: 'rotation' });
      await waitUntil(async () => ((await handle.fetchHistory()).events!.slice(written).some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) ? true : undefined), {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: 'a failed workflow task under key B alone',
      });
    });
    const input = encryptedPayloads((await handle.fetchHistory()).events![0])[0]!;
    await assert.rejects(createCodec(keyB).decode([input]), /not configured: set it as PAYLOAD_KEY_PREVIOUS/);

    // B with A as previous: the same collector reads its history, takes the pause, resumes and backfills
    // a range, its activities' inputs now written under B.
    // Configured as an operator would: the new key, and the old one as previous.
    const rotated = dataConverterFor(loadConfig({ PAYLOAD_KEY: keyB.toString('base64'), PAYLOAD_KEY_PREVIOUS: `${randomBytes(32).toString('base64')},${keyA.toString('base64')}` }, 'codec'));
    const client = new Client({ connection: f.env.client.connection, dataConverter: rotated });
    const rotatedHandle = client.workflow.getHandle(handle.workflowId);
    const withPrevious = await f.workerWith(rotated);
    await withPrevious.runUntil(async () => {
      await waitUntil(async () => ((await rotatedHandle.query(statusQuery)).phase === 'paused' ? true : undefined), { timeoutMs: 60_000, intervalMs: 250, what: 'paused under B + previous A' });
      await rotatedHandle.signal(resumeSignal);
      await rotatedHandle.executeUpdate(backfillUpdate, { args: [{ from: iso(start), to: iso(start + 10 * MIN) }] });
      await waitUntil(async () => ((await rotatedHandle.query(statusQuery)).backfill?.pending.length === 0 ? true : undefined), { timeoutMs: 120_000, intervalMs: 250, what: 'the backfill done under B + previous A' });
    });
    const after = (await handle.fetchHistory()).events!.slice(written);
    const scheduled = after.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    assert.ok(scheduled.length > 0, 'the collector scheduled activities after the rotation');
    assert.deepEqual(new Set(encryptedPayloads(scheduled).map(keyIdOf)), new Set([codecKey(keyB).id]), 'and wrote their inputs under B');
    await rotatedHandle.terminate('test done');
  });
});
