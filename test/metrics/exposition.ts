import got from 'got';

/** One sample of the Prometheus text exposition format: `name{label="value",...} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A scraped endpoint: every sample, and each metric family's `# TYPE`. */
export interface Exposition {
  readonly samples: Sample[];
  readonly types: ReadonlyMap<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;

/**
 * Parses the Prometheus text format (version 0.0.4), enough for what the SDK's exporter writes. No
 * parser ships with the project's dependencies, and this one is small enough to read in full.
 */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [name, kind] = line.slice('# TYPE '.length).split(' ');
      if (name && kind) types.set(name, kind);
      continue;
    }
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not an exposition sample: ${line.slice(0, 120)}`);
    samples.push({ name: match[1]!, labels: parseLabels(match[2] ?? ''), value: Number(match[3]) });
  }
  return { samples, types };
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) throw new Error(`bad label set: ${text.slice(0, 120)}`);
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** The sum of a series' samples whose labels include `where`, like PromQL's `sum(name{where})`; 0 when none. */
export function total(exposition: Exposition, name: string, where: Record<string, string> = {}): number {
  return matching(exposition, name, where).reduce((sum, s) => sum + s.value, 0);
}

/** The samples of a series whose labels include `where`. */
export function matching(exposition: Exposition, name: string, where: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
}

/** GETs `http://<bindAddress>/metrics` and returns the raw text. */
export async function scrape(bindAddress: string): Promise<string> {
  return got(`http://${bindAddress}/metrics`, { retry: { limit: 0 }, timeout: { request: 10_000 } }).text();
}
