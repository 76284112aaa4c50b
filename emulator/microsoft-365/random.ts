/**
 * Seeded randomness for the emulator's dataset. Two tools: a sequential generator (sfc32, small and fast,
 * good enough statistics for test data) for drawing the dataset in one pass, and a stateless hash for
 * values derived later from a message's index (its GUIDs, subject number, IPs), so those strings need not
 * be stored: 1,000,000 rows would otherwise cost hundreds of megabytes of strings.
 */

/** A seeded pseudo-random source; the same seed always yields the same sequence. */
export interface Random {
  /** A float in [0, 1) with 53 random bits. */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

/** Creates the sequential generator for a seed (any integer; only its low 32 bits matter). */
export function createRandom(seed: number): Random {
  let a = splitMix32(seed);
  let b = splitMix32(a);
  let c = splitMix32(b);
  let d = 1;
  const next32 = (): number => {
    // sfc32 (Chris Doty-Humphrey's small fast counting generator).
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();
  const next = (): number => ((next32() >>> 5) * 67_108_864 + (next32() >>> 6)) / 9_007_199_254_740_992;
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
  };
}

function splitMix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A stateless 32-bit hash of a few integers (murmur3's finaliser per step): same inputs, same output. */
export function hash32(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part | 0), 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/**
 * A version-4-looking GUID derived from the inputs, in the 8-4-4-4-12 form Microsoft prints
 * (`3b4fc661-180d-4c2f-60c9-08da6e38dd10`, docs/sources.md#rws-fields). 128 hashed bits, so collisions are negligible.
 */
export function hashGuid(...parts: number[]): string {
  const words = [hash32(...parts, 1), hash32(...parts, 2), hash32(...parts, 3), hash32(...parts, 4)].map(hex8);
  const [w0, w1, w2, w3] = words as [string, string, string, string];
  return `${w0}-${w1.slice(0, 4)}-4${w1.slice(5)}-${w2.slice(0, 4)}-${w2.slice(4)}${w3}`;
}
