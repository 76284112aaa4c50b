import { recordKey, type TraceRecord } from '../../microsoft/records.js';

/** Every record accounted for: what is missing, repeated, unexpected or altered, against ground truth. */
export interface Accounting {
  readonly expected: number;
  readonly delivered: number;
  readonly missing: string[];
  readonly duplicates: number;
  readonly unexpected: string[];
  readonly altered: string[];
}

/**
 * Compares delivered records with the ground truth by (id, recipient), and field by field after `project`
 * (which drops fields that legitimately differ per query, such as RWS's echoed StartDate and Index).
 */
export function accountFor(delivered: TraceRecord[], expected: TraceRecord[], project: (r: TraceRecord) => TraceRecord = (r) => r): Accounting {
  const truth = new Map(expected.map((r) => [recordKey(r), r]));
  const seen = new Map<string, number>();
  const unexpected: string[] = [];
  const altered: string[] = [];
  for (const record of delivered) {
    const key = recordKey(record);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    const original = truth.get(key);
    if (!original) unexpected.push(key);
    else if (seen.get(key) === 1 && JSON.stringify(project(record)) !== JSON.stringify(original)) altered.push(key);
  }
  const missing = [...truth.keys()].filter((k) => !seen.has(k));
  const duplicates = [...seen.values()].reduce((sum, n) => sum + (n - 1), 0);
  return { expected: expected.length, delivered: delivered.length, missing, duplicates, unexpected, altered };
}

/** A short, readable summary for assertion messages (keys only, never record contents). */
export function summary(a: Accounting): string {
  return `expected ${a.expected}, delivered ${a.delivered}, missing ${a.missing.length} ${a.missing.slice(0, 3).join(' ')}, duplicates ${a.duplicates}, unexpected ${a.unexpected.length}, altered ${a.altered.length} ${a.altered.slice(0, 3).join(' ')}`;
}
