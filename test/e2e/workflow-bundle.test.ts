import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { createDataConverter } from '../../codec/data-converter.js';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { loadConfig } from '../../config/schema.js';
import { REPLAY_KEY } from '../replay/history-files.js';

const run = promisify(execFile);
const HISTORIES = join(PROJECT_ROOT, 'test/replay/histories');

describe('the prebuilt workflow bundle (npm run build:workflow, O365_WORKFLOW_BUNDLE)', () => {
  it('is built by the npm script and replays every recorded history, as the worker would run it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'o365-bundle-')), 'workflow-bundle.js');
    const { stdout } = await run('npm', ['run', '--silent', 'build:workflow', '--', path], { cwd: PROJECT_ROOT });
    assert.match(stdout, /workflow bundle written/);
    assert.ok(statSync(path).size > 100_000, 'a real bundle');

    const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
    const histories = files.map((file) => ({ workflowId: file, history: JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')) as object }));
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: path }, dataConverter: createDataConverter(REPLAY_KEY) }, histories)) {
      assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
      replayed++;
    }
    assert.equal(replayed, files.length);

    const env = { O365_TENANT_ID: 't', O365_CLIENT_ID: 'c', O365_CLIENT_SECRET: 's', PAYLOAD_KEY: REPLAY_KEY.toString('base64'), DEVO_TRANSPORT: 'relay' };
    assert.equal(loadConfig({ ...env, O365_WORKFLOW_BUNDLE: path }, 'worker').workflowBundlePath, path);
    assert.throws(() => loadConfig({ ...env, O365_WORKFLOW_BUNDLE: `${path}.missing` }, 'worker'), /O365_WORKFLOW_BUNDLE: no such file/);
  });
});
