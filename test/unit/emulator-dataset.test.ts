import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateDataset, type GroundTruthRow } from '../../emulator/microsoft-365/index.js';

const START = Date.parse('2026-03-10T08:00:00Z');
const HOUR = 3_600_000;

describe('the seeded message trace dataset', () => {
  const dataset = generateDataset({ seed: 42, records: 20_000, startMs: START, endMs: START + 4 * HOUR, edgeRowsEveryMs: 300_000 });
  const rows = dataset.groundTruth();

  it('has exactly the requested rows, and the same seed gives the same rows', () => {
    assert.equal(rows.length, 20_000);
    const again = generateDataset({ seed: 42, records: 20_000, startMs: START, endMs: START + 4 * HOUR, edgeRowsEveryMs: 300_000 }).groundTruth();
    assert.deepEqual(again, rows);
    const other = generateDataset({ seed: 43, records: 200, startMs: START, endMs: START + 4 * HOUR }).groundTruth();
    assert.notDeepEqual(other.slice(0, 5), rows.slice(0, 5));
  });

  it('sorts newest first, then by recipient, with (received, recipient) and (id, recipient) unique', () => {
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      assert.ok(a.receivedDateTime > b.receivedDateTime || (a.receivedDateTime === b.receivedDateTime && a.recipientAddress < b.recipientAddress), `row ${i} out of order`);
    }
    assert.equal(new Set(rows.map((r) => `${r.receivedDateTime}|${r.recipientAddress}`)).size, rows.length);
    assert.equal(new Set(rows.map((r) => `${r.id}|${r.recipientAddress}`)).size, rows.length);
  });

  it('gives each message 1–5 recipients sharing id, messageId, sender, subject and received time', () => {
    const messages = new Map<string, GroundTruthRow[]>();
    for (const row of rows) messages.set(row.id, [...(messages.get(row.id) ?? []), row]);
    const sizes = [...messages.values()].map((m) => m.length);
    assert.ok(Math.max(...sizes) <= 5 && Math.min(...sizes) >= 1);
    assert.ok(sizes.some((n) => n >= 4), 'some messages have several recipients');
    for (const message of messages.values()) {
      const shared = message.map((r) => JSON.stringify([r.messageId, r.senderAddress, r.subject, r.receivedDateTime, r.fromIP]));
      assert.equal(new Set(shared).size, 1);
    }
    assert.equal(new Set([...messages.values()].map((m) => m[0]!.messageId)).size, messages.size, 'id and messageId are one-to-one');
  });

  it('looks like real mail: 7-digit UTC times, Unicode subjects, IPv4 and IPv6, blank inbound toIP, a status mix', () => {
    assert.ok(rows.every((r) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/.test(r.receivedDateTime)));
    assert.ok(rows.every((r) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(r.id)));
    assert.ok(rows.some((r) => /[^ -~]/.test(r.subject)) && rows.some((r) => /\p{Extended_Pictographic}/u.test(r.subject)));
    assert.ok(rows.some((r) => r.subject.includes("'")) && rows.some((r) => r.subject.includes('"')));
    assert.ok(rows.some((r) => r.fromIP.includes(':')) && rows.some((r) => /^\d+\.\d+\.\d+\.\d+$/.test(r.fromIP)));
    assert.ok(rows.some((r) => r.toIP === '') && rows.some((r) => r.toIP !== ''));
    const statuses = new Map<string, number>();
    for (const r of rows) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    assert.ok((statuses.get('delivered') ?? 0) > rows.length * 0.7, 'mostly delivered');
    for (const s of ['failed', 'pending', 'quarantined', 'filteredAsSpam', 'expanded']) assert.ok(statuses.get(s), `some ${s}`);
    assert.ok(!statuses.has('gettingStatus'), 'ground truth holds final statuses');
  });

  it('puts rows exactly on every 5-minute edge, at tick 0', () => {
    for (let edge = START; edge < START + 4 * HOUR; edge += 300_000) {
      const at = dataset.rowsIn(edge, edge);
      assert.ok(at.length >= 2, `${new Date(edge).toISOString()} has ${at.length} rows`);
      assert.ok(at.every((r) => r.receivedDateTime === new Date(edge).toISOString().replace('Z', '0000Z')));
    }
  });

  it('rowsIn is inclusive at both ends at 100-ns precision', () => {
    const row = rows[1234]!;
    const exact = dataset.rowsIn(row.receivedDateTime, row.receivedDateTime);
    assert.ok(exact.some((r) => r.recipientAddress === row.recipientAddress));
    const oneTickLater = row.receivedDateTime.replace(/(\d)Z$/, (_, d: string) => `${(Number(d) + 1) % 10}Z`);
    if (!row.receivedDateTime.endsWith('9Z')) assert.equal(dataset.rowsIn(oneTickLater, oneTickLater).length, 0);
    const window = dataset.rowsIn('2026-03-10T09:00:00Z', '2026-03-10T09:59:59.9999999Z');
    assert.deepEqual(window, rows.filter((r) => r.receivedDateTime >= '2026-03-10T09:00:00.0000000Z' && r.receivedDateTime <= '2026-03-10T09:59:59.9999999Z'));
  });

  it('makes most rows visible 5–10 minutes late and a few hours late, settling within 30 minutes', () => {
    const delays = rows.map((r) => Date.parse(r.visibleAt) - Date.parse(r.receivedDateTime.slice(0, 23) + 'Z'));
    const inBand = delays.filter((d) => d >= 300_000 && d <= 600_000).length / delays.length;
    const tail = delays.filter((d) => d > 600_000).length / delays.length;
    assert.ok(inBand > 0.95, `${inBand} within 5–10 minutes`);
    assert.ok(tail > 0.01 && tail < 0.05 && Math.max(...delays) <= 6 * HOUR, `${tail} late, max ${Math.max(...delays)}`);
    const settle = rows.map((r) => Date.parse(r.settlesAt) - Date.parse(r.receivedDateTime.slice(0, 23) + 'Z'));
    assert.ok(settle.every((d) => d >= 60_000 && d <= 1_800_000));
  });

  it('honours immediate visibility and already-settled statuses', () => {
    const settled = generateDataset({ seed: 1, records: 500, startMs: START, endMs: START + HOUR, visibility: { kind: 'immediate' }, statusSettleMs: 0 });
    for (let i = 0; i < settled.size; i++) {
      assert.equal(settled.visibleAtMs(i), settled.receivedMs(i));
      assert.notEqual(settled.status(i, settled.receivedMs(i)), 0);
    }
  });

  it('refuses bad options, naming each', () => {
    assert.throws(() => generateDataset({ seed: 1, records: -1, startMs: 2, endMs: 1, edgeRowsEveryMs: 0 }), /records.*startMs.*edgeRowsEveryMs/);
  });

  it('keeps a million rows in well under 100 MB', () => {
    globalThis.gc?.();
    const before = process.memoryUsage();
    const big = generateDataset({ seed: 9, records: 1_000_000, startMs: START, endMs: START + 24 * HOUR });
    const after = process.memoryUsage();
    const used = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    assert.equal(big.size, 1_000_000);
    assert.ok(used < 100_000_000, `${Math.round(used / 1e6)} MB`);
  });
});
