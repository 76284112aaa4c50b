import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ConfigError, loadConfig } from '../../config/schema.js';
import { observeActivity, type Observation } from '../../metrics/activity-observations.js';
import { SERIES } from '../../metrics/series.js';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { progressGauges } from '../../workflows/metrics.js';
import type { CollectorState } from '../../workflows/state.js';
import { parseExposition, total } from './exposition.js';

const definitions = Object.values(SERIES);
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.secret-token';
const pullInput = { tenantId: 'contoso', source: 'graph', window: { startMs: 0, endMs: 300_000 }, pageSize: 2, accessToken: TOKEN, page: 1 };

/** The observations as `series{label=value,...} value` lines, easy to compare whole. */
const lines = (observations: Observation[]) =>
  observations.map(({ series, value, labels }) => `${series}{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')}} ${value}`);

describe('metric series', () => {
  it('are named the Prometheus way: o365_ prefix, snake case, counters end in _total, gauges do not', () => {
    assert.equal(new Set(definitions.map((d) => d.name)).size, definitions.length, 'names are unique');
    for (const d of definitions) {
      assert.match(d.name, /^o365_[a-z0-9_]+$/);
      assert.equal(d.name.endsWith('_total'), d.kind === 'counter', `${d.name} is a ${d.kind}`);
      assert.equal(d.name.endsWith('_seconds'), d.unit === 's', `${d.name}: the unit is in the name`);
      assert.equal(d.source !== 'activity', d.kind === 'gauge', 'activities count, the workflow and the worker set gauges');
    }
  });

  it('are labelled by tenant, with only bounded labels besides (never a token, address or record field)', () => {
    for (const d of definitions) {
      assert.equal(d.labels[0], 'tenant_id', d.name);
      for (const label of d.labels) assert.ok(['tenant_id', 'outcome', 'reason'].includes(label), `${d.name}: ${label}`);
    }
  });

  it('are each listed in the metrics table of docs/operations.md, and the table lists no other', () => {
    const doc = readFileSync(`${PROJECT_ROOT}/docs/operations.md`, 'utf8');
    const start = doc.indexOf('## Metrics');
    const end = doc.indexOf('\n## ', start + 1);
    const section = doc.slice(start, end < 0 ? undefined : end);
    const listed = [...section.matchAll(/^\| `(o365_[a-z0-9_]+)` \| (counter|gauge) \|/gm)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(listed.sort(), definitions.map((d) => `${d.name} ${d.kind}`).sort());
  });
});

describe('what an activity attempt counts', () => {
  it('a pulled page: one call, one page, its records, no 429, and its unparseable rows when reported', () => {
    const page = { records: [{ MessageTraceId: 'a' }, { MessageTraceId: 'b' }], deadLettered: 1 };
    assert.deepEqual(lines(observeActivity('pullPage', pullInput, { result: page })), [
      'microsoftCalls{tenant_id=contoso,outcome=ok} 1',
      'microsoftThrottled{tenant_id=contoso} 0',
      'pagesPulled{tenant_id=contoso} 1',
      'recordsPulled{tenant_id=contoso} 2',
      'deadLetters{tenant_id=contoso,reason=unparseable} 1',
    ]);
    const withoutField = lines(observeActivity('pullPage', pullInput, { result: { records: [] } }));
    assert.ok(!withoutField.some((l) => l.startsWith('deadLetters')), 'no unparseable series where the worker does not report them');
  });

  it('a chunk counts a call per page, and the call of a later page that ended it early with its failure', () => {
    const chunk = { records: [{ MessageTraceId: 'a' }, { MessageTraceId: 'b' }, { MessageTraceId: 'c' }], pages: 3, endedBy: 'Throttled' };
    assert.deepEqual(lines(observeActivity('pullPage', pullInput, { result: chunk })), [
      'microsoftCalls{tenant_id=contoso,outcome=ok} 3',
      'microsoftThrottled{tenant_id=contoso} 0',
      'microsoftCalls{tenant_id=contoso,outcome=Throttled} 1',
      'microsoftThrottled{tenant_id=contoso} 1',
      'pagesPulled{tenant_id=contoso} 3',
      'recordsPulled{tenant_id=contoso} 3',
    ]);
    const odd = lines(observeActivity('pullPage', pullInput, { result: { ...chunk, endedBy: 'SomethingNew' } }));
    assert.ok(odd.includes('microsoftCalls{tenant_id=contoso,outcome=Other} 1'), 'an unknown failure type collapses to Other');
  });

  it('a 429 counts as a throttled call, never as a page', () => {
    const throttled = ApplicationFailure.create({ type: 'Throttled', message: 'GET /messageTraces: 429', nonRetryable: false });
    assert.deepEqual(lines(observeActivity('pullPage', pullInput, { error: throttled })), [
      'microsoftCalls{tenant_id=contoso,outcome=Throttled} 1',
      'microsoftThrottled{tenant_id=contoso} 1',
    ]);
    assert.deepEqual(lines(observeActivity('fetchToken', { tenantId: 'contoso', source: 'graph' }, { error: throttled })), [
      'microsoftCalls{tenant_id=contoso,outcome=Throttled} 1',
      'microsoftThrottled{tenant_id=contoso} 1',
    ]);
  });

  it('failure outcomes stay a bounded set: known failure types, Cancelled, or Other', () => {
    const outcome = (error: unknown) => observeActivity('fetchToken', { tenantId: 't' }, { error })[0]!.labels.outcome;
    assert.equal(outcome(ApplicationFailure.create({ type: 'CredentialsRejected', nonRetryable: true })), 'CredentialsRejected');
    assert.equal(outcome(ApplicationFailure.create({ type: `Made-up ${TOKEN}` })), 'Other');
    assert.equal(outcome(new CancelledFailure('cancelled')), 'Cancelled');
    assert.equal(outcome(new Error(`connect ECONNREFUSED 10.0.0.1:443 ${TOKEN}`)), 'Other');
  });

  it('a send: delivered, resent and oversize records, and the attempt by outcome', () => {
    const input = { tenantId: 'contoso', records: [], window: { startMs: 0, endMs: 1 }, page: 3 };
    assert.deepEqual(lines(observeActivity('sendToDevo', input, { result: { delivered: 998, batches: 2, resent: 500, oversize: 2, bytes: 1 } })), [
      'devoSends{tenant_id=contoso,outcome=ok} 1',
      'recordsDelivered{tenant_id=contoso} 998',
      'recordsResent{tenant_id=contoso} 500',
      'deadLetters{tenant_id=contoso,reason=oversize} 2',
    ]);
    const down = ApplicationFailure.create({ type: 'DevoUnavailable', message: 'connect ECONNREFUSED' });
    assert.deepEqual(lines(observeActivity('sendToDevo', input, { error: down })), ['devoSends{tenant_id=contoso,outcome=DevoUnavailable} 1']);
  });

  it('labels never carry the input beyond the tenant id', () => {
    const all = JSON.stringify(observeActivity('pullPage', { ...pullInput, nextLink: 'https://graph.microsoft.com/x?$skiptoken=abc' }, { result: { records: [] } }));
    for (const leak of [TOKEN, 'skiptoken', 'graph.microsoft.com']) assert.ok(!all.includes(leak), leak);
    assert.equal(observeActivity('pullPage', undefined, { result: { records: [] } })[0]!.labels.tenant_id, 'unknown');
  });
});

describe('progress gauges', () => {
  it('are computed from the workflow state: cursor, lag, budget in the window, pending backfill, operator needed', () => {
    const nowMs = Date.parse('2026-11-24T12:00:00Z');
    const state: CollectorState = {
      cursor: '2026-11-24T11:30:00.000Z',
      totals: { records: 0, pages: 0, windows: 0, apiCalls: 0, tokenFetches: 0, resent: 0, oversize: 0 },
      recentCalls: [nowMs - 10 * 60_000, nowMs - 4 * 60_000, nowMs - 1_000],
      backfill: { pending: [{ from: '2026-11-20T00:00:00.000Z', to: '2026-11-20T02:00:00.000Z' }], deliveredMs: 0 },
      startedAt: '2026-11-24T10:00:00.000Z',
    };
    const settings = { tenantId: 'contoso', source: 'graph', windowMs: 300_000, lagMs: 900_000, pageSize: 1000 } as const;
    assert.deepEqual(progressGauges(settings, state, nowMs), {
      cursor: Date.parse(state.cursor) / 1000,
      lag: 30 * 60,
      budgetUsed: 2,
      budgetLimit: 90,
      backfillPending: 2 * 3600,
      needsOperator: 0,
    });
    const blocked = { ...state, lastError: { type: 'PermissionMissing', message: 'm', hint: 'grant it', at: state.cursor } };
    assert.equal(progressGauges(settings, blocked, nowMs).needsOperator, 1);
    const retrying = { ...state, lastError: { type: 'MicrosoftUnavailable', message: 'm', at: state.cursor } };
    assert.equal(progressGauges(settings, retrying, nowMs).needsOperator, 0, 'self-healing failures need no operator');
  });
});

describe('O365_METRICS_ADDRESS', () => {
  const base = { O365_TENANT_ID: 't', O365_CLIENT_ID: 'c', O365_CLIENT_SECRET: 's', DEVO_TRANSPORT: 'relay', PAYLOAD_KEY: Buffer.alloc(32, 7).toString('base64') };

  it('is off by default and takes an IPv4 or bracketed IPv6 address with a port', () => {
    assert.equal(loadConfig(base).metricsAddress, undefined);
    assert.equal(loadConfig({ ...base, O365_METRICS_ADDRESS: '0.0.0.0:9464' }).metricsAddress, '0.0.0.0:9464');
    assert.equal(loadConfig({ ...base, O365_METRICS_ADDRESS: '[::]:9464' }).metricsAddress, '[::]:9464');
  });

  it('refuses host names and missing ports with one line naming the variable', () => {
    for (const bad of ['localhost:9464', '0.0.0.0', '9464', '[::1]', '1.2.3.4:99999']) {
      assert.throws(
        () => loadConfig({ ...base, O365_METRICS_ADDRESS: bad }),
        (err: unknown) => err instanceof ConfigError && err.lines.length === 1 && /^O365_METRICS_ADDRESS: expected an IP address and port/.test(err.lines[0]!),
        bad,
      );
    }
  });
});

describe('the exposition parser used by the metrics tests', () => {
  it('reads samples with escaped label values, with or without labels and timestamps', () => {
    const e = parseExposition(['# HELP a_total A', '# TYPE a_total counter', 'a_total{x="q\\"uo\\\\te",y="2"} 3', 'a_total{x="z"} 4 1700000000', 'b 1.5e3', ''].join('\n'));
    assert.deepEqual(e.samples[0], { name: 'a_total', labels: { x: 'q"uo\\te', y: '2' }, value: 3 });
    assert.equal(total(e, 'a_total'), 7);
    assert.equal(total(e, 'a_total', { x: 'z' }), 4);
    assert.equal(total(e, 'b'), 1500);
    assert.equal(e.types.get('a_total'), 'counter');
  });
});
