import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { COMPRESSION_KEY } from '../../codec/codec.js';
import { createDataConverter } from '../../codec/data-converter.js';
import { bundleWorkflows } from '../../worker/create-worker.js';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { BOUNDED_BACKFILL, CONTINUE_AS_NEW_FROM_WAITS, PIPELINE_PATCH } from '../../workflows/patches.js';
import { activityOverlap } from '../helpers/history-shape.js';
import { alterHistory, REPLAY_KEY } from './history-files.js';

const DIR = join(PROJECT_ROOT, 'test/replay/histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

/**
 * The determinism guard: histories recorded from representative runs (live windows, faults, backfill,
 * continue-as-new) replay against today's workflow code. A change that would break running collectors
 * fails here; such a change needs `patched()`.
 */
describe('replaying recorded collector histories', () => {
  it('has recorded histories to replay', () => {
    assert.ok(files.length >= 2, `${files.length} histories in test/replay/histories`);
  });

  it('replays every recorded history without a determinism violation', async () => {
    const workflowBundle = await bundleWorkflows();
    const histories = files.map((file) => ({ workflowId: file, history: JSON.parse(readFileSync(join(DIR, file), 'utf8')) as object }));
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle, dataConverter: createDataConverter(REPLAY_KEY) }, histories)) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
      replayed++;
    }
    assert.equal(replayed, files.length);
  });

  it('covers both shapes running collectors hold: one page at a time (before pipelining) and pipelined', () => {
    const shapes = files.map((file) => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const patched = text.includes(Buffer.from(JSON.stringify({ id: PIPELINE_PATCH })).toString('base64').slice(0, 24));
      return { file, patched, ...activityOverlap(JSON.parse(text) as object) };
    });
    assert.ok(shapes.some((s) => !s.patched && s.pullsBesideSends === 0), JSON.stringify(shapes));
    assert.ok(shapes.some((s) => s.patched && s.pullsBesideSends > 0), JSON.stringify(shapes));
  });

  it('covers the patched waits for an operator and bounded backfills, as collectors started since hold them', () => {
    for (const id of [CONTINUE_AS_NEW_FROM_WAITS, BOUNDED_BACKFILL]) {
      const marker = Buffer.from(JSON.stringify({ id })).toString('base64').slice(0, 24);
      assert.ok(files.some((file) => readFileSync(join(DIR, file), 'utf8').includes(marker)), `a history with the ${id} marker`);
    }
  });

  it('covers both ways pages are carried: base64 in JSON (compressed by the codec) and binary (only encrypted)', () => {
    const binary = files.filter((file) => readFileSync(join(DIR, file), 'utf8').includes(`"${COMPRESSION_KEY}"`));
    assert.ok(binary.length > 0 && binary.length < files.length, `binary pages in ${binary.join(', ') || 'no history'} of ${files.length}`);
  });

  it('histories hold no address, subject, token or secret in clear: the codec encrypted every payload', () => {
    for (const file of files) {
      const text = readFileSync(join(DIR, file), 'utf8');
      assert.doesNotMatch(text, /[\w.+-]+@[\w-]+\.[a-z]{2,}/i, `${file}: an e-mail address in clear`);
      assert.doesNotMatch(text, /access_token|Bearer |test-secret-value|receivedDateTime|RecipientAddress/, `${file}: a token or a record in clear`);
      assert.match(text, /binary\/encrypted|YmluYXJ5L2VuY3J5cHRlZA==/, `${file}: payloads are encrypted`);
    }
  });

  it('catches a change in command order: an altered history throws DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows();
    const history = alterHistory(JSON.parse(readFileSync(join(DIR, files[0]!), 'utf8')) as { events: Record<string, unknown>[] });
    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle, dataConverter: createDataConverter(REPLAY_KEY) }, history, 'altered'),
      DeterminismViolationError,
    );
  });
});
