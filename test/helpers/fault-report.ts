import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';

/** What one fault scenario measured against the ground truth. */
export interface ScenarioResult {
  readonly scenario: string;
  /** Ground-truth records in the collected range. */
  readonly records: number;
  readonly missing: number;
  /** Deliveries beyond the first of each record. */
  readonly duplicates: number;
  /** The most duplicates the contract allows here: one batch per fault that can cut a confirmation. */
  readonly duplicateBound: number;
  /** Records delivered that are not in the ground truth, or differ from it. */
  readonly unexpectedOrAltered: number;
  /** Windows of the range with records of which none arrived, or that the collector never counted. */
  readonly windowsSkipped: number;
  readonly windows: number;
  /** The status query's cursor never went back, sampled throughout the run. */
  readonly cursorMonotone: boolean;
  readonly cursorSamples: number;
  /** Each fault with how often it was actually served or done. */
  readonly faults: Record<string, number>;
  /** Scripted emulator faults never served (a scenario whose fault never happened proves nothing). */
  readonly faultsNeverServed: number;
  readonly seconds: number;
}

const results: ScenarioResult[] = [];

/** Records a scenario for the table, then asserts the delivery contract on it. */
export function assertScenario(result: ScenarioResult): void {
  results.push(result);
  const text = JSON.stringify(result);
  assert.equal(result.missing, 0, `records missing: ${text}`);
  assert.equal(result.unexpectedOrAltered, 0, `records unexpected or altered: ${text}`);
  assert.ok(result.duplicates <= result.duplicateBound, `duplicates beyond the bound: ${text}`);
  assert.equal(result.windowsSkipped, 0, `windows skipped: ${text}`);
  assert.ok(result.cursorMonotone && result.cursorSamples > 0, `cursor not monotone: ${text}`);
  assert.ok(result.records >= 20_000 && result.windows >= 3, `too small a run: ${text}`);
  assert.ok(Object.keys(result.faults).length > 0 && result.faultsNeverServed === 0, `a fault never happened: ${text}`);
}

/** The table of every scenario recorded in this process, as Markdown; also written to test-output/fault-table.md. */
export function writeFaultTable(): string {
  const header = ['scenario', 'records', 'missing', 'duplicates (bound)', 'windows skipped', 'cursor monotone (samples)', 'faults served', 'seconds'];
  const rows = [...results]
    .sort((a, b) => a.scenario.localeCompare(b.scenario))
    .map((r) => [
      r.scenario,
      r.records.toLocaleString('en-US'),
      String(r.missing),
      `${r.duplicates} (${r.duplicateBound})`,
      `${r.windowsSkipped} of ${r.windows}`,
      `${r.cursorMonotone ? 'yes' : 'NO'} (${r.cursorSamples})`,
      Object.entries(r.faults)
        .map(([name, n]) => `${name} ×${n}`)
        .join(', '),
      String(r.seconds),
    ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const table = [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
  const dir = join(PROJECT_ROOT, 'test-output');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fault-table.md'), `${table}\n`);
  return table;
}
