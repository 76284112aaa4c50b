import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { unpackEvents } from '../../records/packed-lines.js';
import { ENCODING, encodingOf, type EncryptionCodec } from '../../codec/codec.js';
import { payloadConverter } from '../../codec/payload-converter.js';
import { isPackedRecords } from '../../codec/readable-pages.js';

/** Where text was captured (a log, a command's output, a history as bytes), by name. */
export type Haystacks = Record<string, string | Uint8Array>;

/**
 * Every needle found in every haystack, as `needle-name in haystack-name`. Haystacks are searched as
 * bytes, so a needle inside a protobuf (a history's payload, say) is found as readily as in a log line.
 */
export function findLeaks(haystacks: Haystacks, needles: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [where, hay] of Object.entries(haystacks)) {
    const bytes = typeof hay === 'string' ? Buffer.from(hay, 'utf8') : Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength);
    for (const [what, needle] of Object.entries(needles)) if (needle && bytes.includes(Buffer.from(needle, 'utf8'))) found.push(`${what} in ${where}`);
  }
  return found;
}

/** A history exactly as the server stores it, as protobuf bytes: payloads as the codec left them. */
export function rawHistoryBytes(history: proto.temporal.api.history.v1.IHistory): Uint8Array {
  return proto.temporal.api.history.v1.History.encode(history).finish();
}

/** Every payload in a history, wherever it sits (inputs, results, failures' details, memo, heartbeats). */
export function payloadsOf(value: unknown, out: Payload[] = []): Payload[] {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return out;
  const record = value as Record<string, unknown>;
  if (record.metadata && record.data instanceof Uint8Array) out.push(record as Payload);
  else for (const child of Object.values(record)) payloadsOf(child, out);
  return out;
}

/**
 * A failure's messages down its cause chain, `outer <- cause <- ...`, as someone holding the key reads them:
 * failures keep message and stack in encrypted attributes, decoded here (older ones are in clear).
 */
export async function failureMessages(failure: proto.temporal.api.failure.v1.IFailure | null | undefined, codec: EncryptionCodec): Promise<string> {
  const messages: string[] = [];
  for (let f = failure; f; f = f.cause) {
    if (!f.encodedAttributes) messages.push(f.message ?? '');
    else messages.push((payloadConverter.fromPayload<{ message?: string }>((await codec.decode([f.encodedAttributes]))[0]!)).message ?? '');
  }
  return messages.join(' <- ');
}

/** The history's payloads decoded with the codec, as one JSON text: what someone holding the key sees. */
export async function decodedPayloadText(history: proto.temporal.api.history.v1.IHistory, codec: EncryptionCodec): Promise<string> {
  return payloadText(await codec.decode(payloadsOf(history)));
}

/**
 * The history's payloads that are not encrypted, as text: what anyone with access to the server sees.
 * Packed pages (deflated JSON lines) are unpacked, so records in clear are found even though compressed.
 */
export function clearPayloadText(history: proto.temporal.api.history.v1.IHistory): string {
  return payloadText(payloadsOf(history).filter((p) => encodingOf(p) !== ENCODING));
}

function payloadText(payloads: Payload[]): string {
  return payloads.map((p) => withPackedPages(payloadConverter.fromPayload(p))).join('\n');
}

/** The value as JSON, followed by the lines of every packed page inside it. */
function withPackedPages(value: unknown): string {
  const pages: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return;
    if (isPackedRecords(v)) pages.push(...unpackEvents(v).map((e) => e.json));
    else Object.values(v).forEach(visit);
  };
  visit(value);
  return [JSON.stringify(value), ...pages].join('\n');
}
