import { readFileSync } from 'node:fs';

/** The variables that give the codec's keys: the current one and those before it, inline or from a file. */
export interface PayloadKeySettings {
  readonly PAYLOAD_KEY?: string;
  readonly PAYLOAD_KEY_FILE?: string;
  readonly PAYLOAD_KEY_PREVIOUS?: string;
  readonly PAYLOAD_KEY_PREVIOUS_FILE?: string;
}

/** The current key (32 bytes of base64, inline or from PAYLOAD_KEY_FILE); one line in `lines` when it is not usable. */
export function readPayloadKey(e: PayloadKeySettings, lines: string[]): Buffer | undefined {
  const source = e.PAYLOAD_KEY_FILE ? 'PAYLOAD_KEY_FILE' : 'PAYLOAD_KEY';
  let text = e.PAYLOAD_KEY;
  if (e.PAYLOAD_KEY_FILE) {
    try {
      text = readFileSync(e.PAYLOAD_KEY_FILE, 'utf8');
    } catch (err) {
      lines.push(`PAYLOAD_KEY_FILE: cannot read ${e.PAYLOAD_KEY_FILE} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  }
  if (text === undefined) return undefined;
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) {
    lines.push(`${source}: expected base64 of exactly 32 bytes (openssl rand -base64 32), got ${key.length} bytes`);
    return undefined;
  }
  return key;
}

/** The earlier keys, in the order given; one line for the variable when any of them is not 32 bytes of base64. */
export function readPreviousPayloadKeys(e: PayloadKeySettings, lines: string[]): Buffer[] {
  const source = e.PAYLOAD_KEY_PREVIOUS_FILE ? 'PAYLOAD_KEY_PREVIOUS_FILE' : 'PAYLOAD_KEY_PREVIOUS';
  let text = e.PAYLOAD_KEY_PREVIOUS;
  if (e.PAYLOAD_KEY_PREVIOUS_FILE) {
    try {
      text = readFileSync(e.PAYLOAD_KEY_PREVIOUS_FILE, 'utf8');
    } catch (err) {
      lines.push(`PAYLOAD_KEY_PREVIOUS_FILE: cannot read ${e.PAYLOAD_KEY_PREVIOUS_FILE} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return [];
    }
  }
  const keys = (text ?? '').split(/[,\s]+/).filter(Boolean).map((part) => Buffer.from(part, 'base64'));
  // Positions only: the message must not echo a key, even a wrong one.
  const wrong = keys.flatMap((key, i) => (key.length === 32 ? [] : [`#${i + 1} has ${key.length} bytes`]));
  if (wrong.length > 0) lines.push(`${source}: expected comma-separated base64 keys of exactly 32 bytes each (openssl rand -base64 32); ${wrong.join(', ')}`);
  return wrong.length > 0 ? [] : keys;
}
