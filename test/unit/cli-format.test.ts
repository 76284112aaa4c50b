import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requestProgress } from '../../client/backfill-progress.js';
import { formatCount, formatSpan, formatTime } from '../../client/format.js';
import { hintFor } from '../../client/hints.js';
import { liveLine } from '../../client/live-line.js';
import { formatStatus } from '../../client/status.js';
import { workflowUiLink } from '../../client/ui-link.js';
import { closestName } from '../../config/suggest.js';
import { OPERATOR_HINTS } from '../../contracts/failure-types.js';
import type { CollectorStatus } from '../../workflows/state.js';

const status: CollectorStatus = {
  tenantId: 'contoso',
  source: 'graph',
  phase: 'running',
  cursor: '2026-11-24T19:25:00.000Z',
  lagMs: 70 * 60_000 + 12_000,
  caughtUp: false,
  settings: { windowMs: 300_000, lagMs: 900_000, pageSize: 1000 },
  totals: { records: 1268, pages: 3, windows: 12, apiCalls: 15, tokenFetches: 1, resent: 0, oversize: 0 },
  budget: { used: 4, limit: 90, windowMs: 300_000, liveReserve: 10 },
  startedAt: '2026-11-24T18:00:00.000Z',
};

describe('readable CLI output', () => {
  it('writes counts with thousands separators, times without zero milliseconds and lag in two units', () => {
    assert.equal(formatCount(1268), '1,268');
    assert.equal(formatTime('2026-11-24T19:25:00.000Z'), '2026-11-24T19:25:00Z');
    assert.equal(formatTime('2026-11-24T19:25:00.250Z'), '2026-11-24T19:25:00.250Z');
    assert.equal(formatSpan(70 * 60_000 + 12_000), '1h10m');
    assert.equal(formatSpan(2 * 86_400_000 + 3 * 3_600_000 + 59_000), '2d3h');
    assert.equal(formatSpan(270_000), '4m30s');
    assert.equal(formatSpan(0), '0s');
  });

  it('status shows readable numbers and times, the workflow id and the UI link', () => {
    const link = workflowUiLink('http://127.0.0.1:8233/', 'default', 'o365-message-trace/contoso', 'run-1');
    assert.equal(link, 'http://127.0.0.1:8233/namespaces/default/workflows/o365-message-trace%2Fcontoso/run-1/history');
    const lines = formatStatus(status, { workflowId: 'o365-message-trace/contoso', uiLink: link });
    assert.ok(lines.includes('workflow: o365-message-trace/contoso'), lines.join('\n'));
    assert.ok(lines.includes(`ui: ${link}`), lines.join('\n'));
    assert.ok(lines.includes('cursor: 2026-11-24T19:25:00Z (1h10m behind now)'), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('totals: 1,268 records')), lines.join('\n'));
  });

  it("hints name only the collector's own source", () => {
    const error = { type: 'PermissionMissing', message: '403', hint: OPERATOR_HINTS.PermissionMissing!, at: status.cursor };
    const graph = formatStatus({ ...status, lastError: error }).join('\n');
    assert.match(graph, /ExchangeMessageTrace\.Read\.All/);
    assert.doesNotMatch(graph, /ReportingWebService/);
    const reporting = hintFor(error, 'reporting')!;
    assert.match(reporting, /ReportingWebService\.Read\.All/);
    assert.doesNotMatch(reporting, /ExchangeMessageTrace/);
    assert.equal(hintFor({ ...error, type: 'DevoTlsRejected', hint: 'check DEVO_CERT' }, 'graph'), 'check DEVO_CERT');
  });

  it('suggests the nearest variable name for a misspelt one, and nothing for an unrelated one', () => {
    const known = ['O365_LAG', 'O365_LOGIN_URL', 'O365_WINDOW', 'DEVO_TAG'];
    assert.equal(closestName('O365_LAGG', known), 'O365_LAG');
    assert.equal(closestName('O365_WIDNOW', known), 'O365_WINDOW');
    assert.equal(closestName('O365_COLOUR', known), undefined);
  });

  it("a second backfill's bar starts at 0% although the collector's own progress is cumulative", () => {
    const accepted = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T06:00:00.000Z', pending: [] };
    // The first request (a day) is done; the second (6 h) has not started: deliveredMs says 24/30 done.
    const second = { ...status, backfill: { pending: [{ from: accepted.from, to: accepted.to }], progress: 0.8 } };
    assert.equal(requestProgress(accepted, second).fraction, 0);
    const half = { ...status, backfill: { pending: [{ from: '2026-11-20T03:00:00.000Z', to: accepted.to }], progress: 0.9 } };
    assert.equal(requestProgress(accepted, half).fraction, 0.5);
    assert.equal(requestProgress(accepted, { ...status, backfill: { pending: [], progress: 1 } }).fraction, 1);
  });

  it('the run status line redraws in place on a terminal and prints one line per change elsewhere', () => {
    const written: string[] = [];
    const tty = liveLine({ isTTY: true, write: (t: string) => written.push(t) });
    tty.update('a');
    tty.update('b');
    tty.end();
    assert.deepEqual(written, ['\r\x1b[2Ka', '\r\x1b[2Kb', '\n']);
    written.length = 0;
    const pipe = liveLine({ isTTY: false, write: (t: string) => written.push(t) });
    pipe.update('a');
    pipe.update('a');
    pipe.update('b');
    assert.deepEqual(written, ['a\n', 'b\n']);
  });
});
