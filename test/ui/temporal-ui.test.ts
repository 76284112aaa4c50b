import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { alignDown, iso } from '../../time-windows/index.js';
import { DevoHttpRejected } from '../../devo/errors.js';
import type { DevoTransport } from '../../devo/transport.js';
import { collectorFixture } from '../helpers/collector-fixture.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';
import { waitUntil } from '../helpers/wait-until.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const UI = process.env.TEST_TEMPORAL_UI_URL;
const ARTIFACTS = join(PROJECT_ROOT, 'test-output');
const MIN = 60_000;

describe('the Temporal UI', { skip: !CHROMIUM ? 'chromium is not installed' : !UI ? 'npm test did not start a dev server with a UI' : false }, () => {
  it('finds the collector by a search attribute and shows a decoded page of records through the codec server', async (t) => {
    const now = Date.now();
    const start = alignDown(now - 30 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 600, startMs: start, endMs: now }) });
    const { workflowId, runId } = await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start), searchAttributes: true });
      await f.waitForStatus(handle, (s) => s.caughtUp);
      await handle.terminate('test done');
      return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
    });
    const recipient = String(graphTruth(f.emulator, start, start + 15 * MIN)[0]?.recipientAddress);

    mkdirSync(ARTIFACTS, { recursive: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });

    const query = encodeURIComponent(`O365TenantId="${f.tenantId}"`);
    await page.goto(`${UI}/namespaces/default/workflows?query=${query}`);
    await page.getByText(workflowId).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'ui-workflow-list.png') });

    await page.goto(`${UI}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`);
    await page.getByText('pullPage').first().click({ timeout: 30_000 });
    // Results are decoded through the codec server as the UI renders them; on a loaded machine that can
    // outlast one wait, so the page is loaded once more before giving up (with a screenshot of what it showed).
    const decodedRecord = page.locator(`text=${recipient} >> visible=true`).first();
    const shown = await decodedRecord.waitFor({ timeout: 30_000 }).then(() => true, () => false);
    if (!shown) {
      await page.screenshot({ path: join(ARTIFACTS, 'ui-decoded-page-first-try.png'), fullPage: true });
      await page.reload();
      await decodedRecord.waitFor({ timeout: 60_000 });
    }
    await page.screenshot({ path: join(ARTIFACTS, 'ui-decoded-page.png'), fullPage: true });
    assert.ok((await page.content()).includes(recipient), 'a decoded record is shown');
  });

  it('shows a failure message, encrypted in history, decoded through the codec server', async (t) => {
    const marker = `devo-refused-${Date.now()}`;
    const devo: DevoTransport = { description: 'refusing test transport', sendBatch: () => Promise.reject(new DevoHttpRejected(`POST https://http-eu.devo.io/stream/acme: 403 ${marker}`, 403)) };
    const now = Date.now();
    const start = alignDown(now - 30 * MIN, 5 * MIN);
    const f = await collectorFixture(t, { dataset: settledDataset({ records: 50, startMs: start, endMs: now }) }, 'graph', {}, { devoTransport: devo });
    const { workflowId, runId } = await f.worker.runUntil(async () => {
      const handle = await f.start({ start: iso(start) });
      await waitUntil(async () => ((await handle.fetchHistory()).events!.some((e) => e.activityTaskFailedEventAttributes) ? true : undefined), { timeoutMs: 120_000, intervalMs: 250, what: 'a failed send' });
      await handle.terminate('test done');
      return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`${UI}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`);
    await page.getByText('sendToDevo').first().click({ timeout: 30_000 });
    const decoded = page.locator(`text=${marker} >> visible=true`).first();
    const shown = await decoded.waitFor({ timeout: 30_000 }).then(() => true, () => false);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-decoded-failure.png'), fullPage: true });
    assert.ok(shown, 'the failure message is shown decoded');
  });
});
