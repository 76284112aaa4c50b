import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedEvent } from './record.js';

/** How an event reached the receiver. */
export type ReceiverTransport = 'tls' | 'tcp' | 'http';

/** One event the receiver accepted: the parsed record, how it came and when (epoch ms). */
export interface ReceivedEvent extends ParsedEvent {
  readonly transport: ReceiverTransport;
  readonly receivedAt: number;
}

// A tag becomes a file name: anything that could leave outDir goes to one catch-all file instead.
const SAFE_FILE_TAG = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,200}$/;

/**
 * The events a receiver accepted, in arrival order, indexed by tag; optionally mirrored as JSON lines in
 * `<outDir>/<tag>.jsonl` (one object per event: receivedAt ISO, transport, priority, timestamp, hostname,
 * tag, message). Files are appended synchronously, before the receiver confirms the connection, so a
 * confirmed batch is on disk too.
 */
export class EventStore {
  private all: ReceivedEvent[] = [];
  private tags = new Map<string, ReceivedEvent[]>();

  constructor(private readonly outDir?: string) {
    if (outDir) mkdirSync(outDir, { recursive: true });
  }

  /** Records events parsed from one chunk, one file append per tag. */
  add(events: readonly ParsedEvent[], transport: ReceiverTransport): void {
    if (events.length === 0) return;
    const receivedAt = Date.now();
    const lines = new Map<string, string[]>();
    for (const parsed of events) {
      const event: ReceivedEvent = { ...parsed, transport, receivedAt };
      this.all.push(event);
      const list = this.tags.get(event.tag) ?? [];
      if (list.length === 0) this.tags.set(event.tag, list);
      list.push(event);
      if (!this.outDir) continue;
      const file = SAFE_FILE_TAG.test(event.tag) ? `${event.tag}.jsonl` : '_unsafe-tag.jsonl';
      const line = JSON.stringify({ receivedAt: new Date(receivedAt).toISOString(), transport, priority: event.priority, timestamp: event.timestamp, hostname: event.hostname, tag: event.tag, message: event.message });
      (lines.get(file) ?? lines.set(file, []).get(file)!).push(line);
    }
    for (const [file, text] of lines) appendFileSync(join(this.outDir!, file), `${text.join('\n')}\n`);
  }

  /** Every event so far, in arrival order (a copy). */
  events(): ReceivedEvent[] {
    return [...this.all];
  }

  /** The events under one tag, in arrival order (a copy). */
  eventsForTag(tag: string): ReceivedEvent[] {
    return [...(this.tags.get(tag) ?? [])];
  }

  get size(): number {
    return this.all.length;
  }

  /** Event counts by tag. */
  byTag(): Record<string, number> {
    return Object.fromEntries([...this.tags].map(([tag, list]) => [tag, list.length]));
  }

  /** How many events repeat an earlier one under `key` (0 when every key is unique). */
  duplicates(key: (event: ReceivedEvent) => string): number {
    const seen = new Set<string>();
    let repeated = 0;
    for (const event of this.all) {
      const k = key(event);
      if (seen.has(k)) repeated++;
      else seen.add(k);
    }
    return repeated;
  }

  /** Forgets every event in memory; files in outDir are left as they are. */
  clear(): void {
    this.all = [];
    this.tags.clear();
  }
}
