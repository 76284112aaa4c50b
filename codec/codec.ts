import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { PACKED_RECORDS_ENCODING } from './payload-converter.js';

/**
 * The payload codec: every payload (workflow input, activity arguments and results: tokens, records) is
 * compressed (packed pages come compressed), then encrypted with AES-256-GCM before it leaves the process,
 * so history holds nothing in clear and pages stay well under Temporal's payload budget. The key id travels
 * in the metadata, so old histories stay readable after a key rotation as long as the old key is still
 * configured.
 * After temporalio/samples-typescript encryption/src/encryption-codec.ts.
 */
export const ENCODING = 'binary/encrypted';
export const KEY_ID_KEY = 'encryption-key-id';
/** Set to `none` on payloads encrypted without compression; absent means raw deflate. */
export const COMPRESSION_KEY = 'encryption-compression';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// @temporalio/proto is CommonJS: its namespace comes through the default export under ESM.
const { Payload: PayloadProto } = proto.temporal.api.common.v1;

/** A 32-byte key and its id (derived, so every process computes the same id for the same key). */
export interface CodecKey {
  readonly id: string;
  readonly key: Buffer;
}

/** Derives the public id of a key: the first 16 hex digits of its SHA-256; it reveals nothing usable. */
export function codecKey(key: Buffer): CodecKey {
  if (key.length !== 32) throw new Error('payload key must be 32 bytes');
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

/** Options of the codec beyond its keys. */
export interface EncryptionCodecOptions {
  /**
   * Most bytes one payload may inflate to (zlib's `maxOutputLength`); decoding a larger one throws. The
   * codec server sets it, since whoever may call /encode could seal a deflate bomb for /decode.
   * @default no limit beyond Node's own buffer limit
   */
  readonly maxInflatedBytes?: number;
}

/** Compresses and encrypts with the first key; decrypts with whichever key the payload names. */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(
    private readonly keys: readonly [CodecKey, ...CodecKey[]],
    private readonly options: EncryptionCodecOptions = {},
  ) {
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0];
    return payloads.map((payload) => {
      // Packed pages are deflated already: compressing them again would cost time at every hop for nothing.
      const compress = encodingOf(payload) !== PACKED_RECORDS_ENCODING;
      const serialized = PayloadProto.encode(payload).finish();
      const plain = compress ? deflateRawSync(serialized, { level: 1 }) : serialized;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      const metadata: Record<string, Uint8Array> = { [METADATA_ENCODING_KEY]: Buffer.from(ENCODING), [KEY_ID_KEY]: Buffer.from(id) };
      if (!compress) metadata[COMPRESSION_KEY] = Buffer.from('none');
      return { metadata, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (!isEncrypted(payload)) return payload;
      const keyId = Buffer.from(payload.metadata?.[KEY_ID_KEY] ?? []).toString();
      const key = this.byId.get(keyId);
      if (!key) throw new Error(`payload encrypted with key ${keyId}, which is not configured: set it as PAYLOAD_KEY_PREVIOUS (configured: ${[...this.byId.keys()].join(', ')})`);
      const data = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      const compressed = Buffer.from(payload.metadata?.[COMPRESSION_KEY] ?? []).toString() !== 'none';
      const { maxInflatedBytes } = this.options;
      const inflated = !compressed ? plain : maxInflatedBytes === undefined ? inflateRawSync(plain) : inflateRawSync(plain, { maxOutputLength: maxInflatedBytes });
      return PayloadProto.decode(inflated);
    });
  }
}

/** True for a payload this codec's `encode` produced (its own encoding metadata), whatever the key. */
export function isEncrypted(payload: Payload): boolean {
  return encodingOf(payload) === ENCODING;
}

/** A payload's `encoding` metadata, as text. */
export function encodingOf(payload: Payload): string | undefined {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding ? Buffer.from(encoding).toString() : undefined;
}
