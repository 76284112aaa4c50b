import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTicksUtc, parsePreciseIso, type GroundTruthRow } from '../../emulator/microsoft-365/index.js';
import { assertSameShape } from '../fixtures/microsoft/shape.js';
import {
  call,
  DAY,
  fixtureJson,
  followPages,
  graphToken,
  graphUrl,
  graphWindow,
  HOUR,
  MINUTE,
  suiteEmulator,
  TestClock,
  wireForm,
} from '../fixtures/microsoft/emulator-fixture.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();
/** A ground-truth time moved by `ticks` of 100 ns, as Graph prints it. */
function shift(received: string, ticks: number): string {
  const t = parsePreciseIso(received)!;
  const total = t.sub + ticks;
  return formatTicksUtc(t.ms + Math.floor(total / 10_000), ((total % 10_000) + 10_000) % 10_000);
}

describe('Graph messageTraces: shape, limits and keyset paging', () => {
  const clock = new TestClock(NOW);
  // Dense: rows every few seconds, and two messages on every minute edge, so pages split inside ties.
  const emulatorOf = suiteEmulator({ now: clock.now, dataset: { seed: 3, records: 3_000, startMs: NOW - 30 * MINUTE, endMs: NOW - MINUTE, visibility: { kind: 'immediate' }, statusSettleMs: 0, edgeRowsEveryMs: MINUTE } });
  let token = '';
  const get = async (url: string) => call(url, { headers: { authorization: `Bearer ${(token ||= await graphToken(emulatorOf()))}` } });
  const truth = (from: string, to: string) => emulatorOf().dataset.rowsIn(from, to).map(wireForm);

  it('answers in the shape of the documented list sample: same keys, same order, same formats', async () => {
    const emulator = emulatorOf();
    const answer = await get(graphUrl(emulator, graphWindow(iso(NOW - 10 * MINUTE), iso(NOW - 9 * MINUTE))));
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
    assert.ok(answer.body.value.length > 0);
    assertSameShape(answer.body, fixtureJson('graph-list.json'), { fromIP: ['ipv6', 'blank'], toIP: ['ipv4'], '@odata.context': ['url'] });
    assert.equal(answer.body['@odata.context'], `${emulator.url}/v1.0/$metadata#admin/exchange/tracing/messageTraces`);
    for (const row of answer.body.value) assert.match(row.receivedDateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
  });

  it('refuses each limit violation with 400 BadRequest in the observed error shape', async () => {
    const emulator = emulatorOf();
    const today = Date.parse('2026-03-10T00:00:00Z');
    const cases: [string, string | undefined, number | string | undefined][] = [
      ['EndDate is required when a StartDate is entered.', `receivedDateTime ge ${iso(NOW - HOUR)}`, undefined],
      ['StartDate is required when an EndDate is entered.', `receivedDateTime le ${iso(NOW - HOUR)}`, undefined],
      ["|System.ArgumentException|The interval between StartDate and EndDate can't be longer than 10 days.", graphWindow(iso(NOW - 11 * DAY), shift(iso(NOW - DAY).replace('Z', '0000Z'), 1)), undefined],
      ["Invalid StartDate value. The StartDate can't be older than 90 days from today.", graphWindow(iso(today - 90 * DAY - 1), iso(today - 85 * DAY)), undefined],
      ["Invalid EndDate value. The EndDate can't be later than the current time.", graphWindow(iso(NOW - HOUR), '2026-03-10T12:00:00.0000001Z'), undefined],
      ['ResultSize is invalid', undefined, 0],
      ['ResultSize is invalid', undefined, 5001],
      ['ResultSize is invalid', undefined, '1000]'],
    ];
    for (const [message, filter, top] of cases) {
      const url = graphUrl(emulator, filter).concat(top === undefined ? '' : `${filter ? '&' : '?'}$top=${encodeURIComponent(top)}`);
      const answer = await get(url);
      assert.equal(answer.status, 400, message);
      assertSameShape(answer.body, fixtureJson('graph-400.json'));
      assert.equal(answer.body.error.message, message);
    }
    const malformed = await get(`${graphUrl(emulator)}?$skiptoken=${encodeURIComponent(Buffer.from('{"EndDate":1}').toString('base64'))}`);
    assert.equal(malformed.status, 400);
  });

  it('accepts each limit exactly at its edge', async () => {
    const emulator = emulatorOf();
    const today = Date.parse('2026-03-10T00:00:00Z');
    for (const [filter, top] of [
      [graphWindow(iso(NOW - 11 * DAY), iso(NOW - DAY)), 1],
      [graphWindow(iso(today - 90 * DAY), iso(today - 85 * DAY)), 5000],
      [graphWindow(iso(NOW - HOUR), '2026-03-10T12:00:00.0000000Z'), 1000],
    ] as const) {
      const answer = await get(`${graphUrl(emulator, filter)}&$top=${top}`);
      assert.equal(answer.status, 200, `${filter} $top=${top}: ${answer.text.slice(0, 200)}`);
    }
  });

  it('pages through a window with $top=3, rows sharing a time split across pages, and loses or repeats nothing', async () => {
    const emulator = emulatorOf();
    const [from, to] = [iso(NOW - 30 * MINUTE), iso(NOW - MINUTE)];
    const first = graphUrl(emulator, graphWindow(from, to), 3);
    const { pages } = await followPages(first, { authorization: `Bearer ${(token ||= await graphToken(emulator))}` }, (b) => b['@odata.nextLink']);
    const served = pages.flatMap((p) => p.body.value as Record<string, unknown>[]);
    assert.deepEqual(served, truth(from, to), 'the pages, in order, are exactly the rows of the window');
    assert.ok(served.length > 2_000);
    const splitTies = pages.slice(1).filter((p, i) => p.body.value[0].receivedDateTime === pages[i]!.body.value.at(-1).receivedDateTime);
    assert.ok(splitTies.length >= 5, `${splitTies.length} page boundaries fell inside a group of rows with one received time`);
    assert.equal(pages.at(-1)!.body['@odata.nextLink'], undefined, 'the last page has no next link');
  });

  it('writes the next link as the same query plus a base64 JSON keyset $skiptoken', async () => {
    const emulator = emulatorOf();
    const filter = graphWindow(iso(NOW - 20 * MINUTE), iso(NOW - 10 * MINUTE));
    const answer = await get(graphUrl(emulator, filter, 7, 'beta'));
    const keys = Object.keys(answer.body);
    assert.deepEqual(keys, ['@odata.context', 'value', '@odata.nextLink']);
    const next = new URL(answer.body['@odata.nextLink']);
    assert.equal(`${next.origin}${next.pathname}`, `${emulator.url}/beta/admin/exchange/tracing/messageTraces`);
    assert.equal(next.searchParams.get('$filter'), filter);
    assert.equal(next.searchParams.get('$top'), '7');
    const token = JSON.parse(Buffer.from(next.searchParams.get('$skiptoken')!, 'base64').toString('utf8'));
    const last = answer.body.value.at(-1);
    assert.deepEqual(token, { StartDate: shift(iso(NOW - 20 * MINUTE).replace('Z', '0000Z'), 0), EndDate: last.receivedDateTime, StartingRecipientAddress: last.recipientAddress, ResultSize: '7' });
  });

  it('treats both bounds as inclusive at 100-ns precision', async () => {
    const emulator = emulatorOf();
    const rows = emulator.dataset.groundTruth();
    const row = rows.find((r, i) => i > 100 && !r.receivedDateTime.endsWith('0000Z'))!;
    const at = row.receivedDateTime;
    const keys = async (from: string, to: string) => ((await get(graphUrl(emulator, graphWindow(from, to)))).body.value as GroundTruthRow[]).map((r) => r.recipientAddress + r.receivedDateTime);
    const mine = row.recipientAddress + at;
    assert.ok((await keys(at, at)).includes(mine), 'ge X and le X holds the rows received at X');
    assert.ok(!(await keys(shift(at, 1), shift(at, 2))).includes(mine), 'one tick later excludes it');
    assert.ok(!(await keys(shift(at, -2), shift(at, -1))).includes(mine), 'one tick earlier excludes it');
    const edge = iso(NOW - 15 * MINUTE);
    const onEdge = emulator.dataset.rowsIn(edge, edge);
    assert.ok(onEdge.length >= 2);
    assert.deepEqual(await keys(edge, edge), onEdge.map((r) => r.recipientAddress + r.receivedDateTime), 'a row exactly on a window edge is in both adjacent inclusive windows');
  });

  it('filters on the documented eq properties and subject functions, against ground truth', async () => {
    const emulator = emulatorOf();
    const [from, to] = [iso(NOW - 30 * MINUTE), iso(NOW - MINUTE)];
    const all = truth(from, to);
    const sample = all.find((r) => r.toIP !== '')!;
    const quoted = all.find((r) => r.subject.includes("'"))!;
    const fetchAll = async (extra: string) =>
      (await followPages(graphUrl(emulator, `${graphWindow(from, to)} and ${extra}`, 5000), { authorization: `Bearer ${token}` }, (b) => b['@odata.nextLink'])).pages.flatMap((p) => p.body.value);
    const checks: [string, (r: (typeof all)[number]) => boolean][] = [
      [`recipientAddress eq '${sample.recipientAddress.toUpperCase()}'`, (r) => r.recipientAddress === sample.recipientAddress],
      [`senderAddress eq '*@${sample.senderAddress.split('@')[1]}'`, (r) => r.senderAddress.endsWith(`@${sample.senderAddress.split('@')[1]}`)],
      [`id eq '${sample.id}'`, (r) => r.id === sample.id],
      [`messageId eq '${sample.messageId}'`, (r) => r.messageId === sample.messageId],
      [`status eq 'FilteredAsSpam'`, (r) => r.status === 'filteredAsSpam'],
      [`toIP eq '${sample.toIP}'`, (r) => r.toIP === sample.toIP],
      [`fromIP eq '${sample.fromIP}'`, (r) => r.fromIP === sample.fromIP],
      [`contains(subject, '${quoted.subject.slice(0, 8).replace(/'/g, "''")}')`, (r) => r.subject.toLowerCase().includes(quoted.subject.slice(0, 8).toLowerCase())],
      [`startswith(subject, 're:')`, (r) => r.subject.toLowerCase().startsWith('re:')],
      [`endswith(subject, '${quoted.subject.slice(-3).replace(/'/g, "''")}')`, (r) => r.subject.toLowerCase().endsWith(quoted.subject.slice(-3).toLowerCase())],
    ];
    for (const [filter, keep] of checks) {
      const expected = all.filter(keep);
      assert.ok(expected.length > 0, `${filter} matches something`);
      assert.deepEqual(await fetchAll(filter), expected, filter);
    }
  });
});

describe('Graph messageTraces over time and permissions', () => {
  const clock = new TestClock(NOW);
  const emulatorOf = suiteEmulator({ now: clock.now, dataset: { seed: 5, records: 4_000, startMs: NOW - 50 * HOUR, endMs: NOW } });

  it('without a time filter returns the last 48 hours that are visible', async () => {
    const emulator = emulatorOf();
    const token = await graphToken(emulator);
    const { pages } = await followPages(graphUrl(emulator, undefined, 5000), { authorization: `Bearer ${token}` }, (b) => b['@odata.nextLink']);
    const served = pages.flatMap((p) => p.body.value);
    const expected = emulator.dataset.groundTruth().filter((r) => Date.parse(r.visibleAt) <= NOW && r.receivedDateTime >= '2026-03-08T12:00:00.0000000Z');
    assert.deepEqual(served.map((r: GroundTruthRow) => r.recipientAddress + r.receivedDateTime), expected.map((r) => r.recipientAddress + r.receivedDateTime));
    assert.ok(expected.length < emulator.dataset.size, 'older rows exist and are left out');
  });

  it('a row is absent before its visibility time and present from it on', async () => {
    const emulator = emulatorOf();
    const rows = emulator.dataset.groundTruth();
    const late = rows.filter((r) => Date.parse(r.visibleAt) - Date.parse(r.receivedDateTime.slice(0, 23) + 'Z') > HOUR && Date.parse(r.visibleAt) < NOW - HOUR);
    assert.ok(late.length > 0, 'the realistic tail has rows hours late');
    const row = late[0]!;
    const key = (r: GroundTruthRow) => r.recipientAddress + r.receivedDateTime;
    const windowOf = () => graphUrl(emulator, graphWindow(shift(row.receivedDateTime, -1), shift(row.receivedDateTime, 1)));
    try {
      clock.ms = Date.parse(row.visibleAt) - 1;
      const token = await graphToken(emulator);
      const before = await call(windowOf(), { headers: { authorization: `Bearer ${token}` } });
      assert.ok(!before.body.value.map(key).includes(key(row)), 'absent a millisecond before');
      clock.ms = Date.parse(row.visibleAt);
      const after = await call(windowOf(), { headers: { authorization: `Bearer ${token}` } });
      assert.ok(after.body.value.map(key).includes(key(row)), 'present at its visibility time');
    } finally {
      clock.ms = NOW;
    }
  });

  it('a row shows gettingStatus until it settles, then its final status', async () => {
    const emulator = emulatorOf();
    const row = emulator.dataset.groundTruth().find((r) => Date.parse(r.settlesAt) - Date.parse(r.visibleAt) > MINUTE && Date.parse(r.settlesAt) < NOW - HOUR)!;
    const statusAt = async (ms: number): Promise<string> => {
      clock.ms = ms;
      const token = await graphToken(emulator);
      const answer = await call(graphUrl(emulator, `${graphWindow(row.receivedDateTime, row.receivedDateTime)} and recipientAddress eq '${row.recipientAddress}'`), { headers: { authorization: `Bearer ${token}` } });
      return answer.body.value[0].status as string;
    };
    try {
      assert.equal(await statusAt(Date.parse(row.visibleAt)), 'gettingStatus');
      assert.equal(await statusAt(Date.parse(row.settlesAt) - 1), 'gettingStatus');
      assert.equal(await statusAt(Date.parse(row.settlesAt)), row.status);
    } finally {
      clock.ms = NOW;
    }
  });

  it('a missing role is 403, a missing service principal 401 with Microsoft’s text, both fixed live', async () => {
    const emulator = emulatorOf();
    const token = await graphToken(emulator);
    const get = () => call(graphUrl(emulator), { headers: { authorization: `Bearer ${token}` } });
    emulator.setPermissions({ graph: false });
    const forbidden = await get();
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.error.message, /ExchangeMessageTrace\.Read\.All/);
    emulator.setPermissions({ graph: true, servicePrincipalProvisioned: false });
    const noPrincipal = await get();
    const sample = fixtureJson('graph-401-service-principal.json') as { error: { code: string; message: string } };
    assert.deepEqual([noPrincipal.status, noPrincipal.body.error.code, noPrincipal.body.error.message], [401, sample.error.code, sample.error.message]);
    emulator.setPermissions({ servicePrincipalProvisioned: true });
    assert.equal((await get()).status, 200);
  });
});
