import {
  BinaryPayloadConverter,
  CompositePayloadConverter,
  JsonPayloadConverter,
  METADATA_ENCODING_KEY,
  UndefinedPayloadConverter,
  type Payload,
  type PayloadConverterWithEncoding,
} from '@temporalio/common';
// The SDK's UTF-8 helpers, which work inside the workflow sandbox too (as temporalio/samples-typescript ejson does).
import { decode, encode } from '@temporalio/common/lib/encoding.js';

/**
 * The encoding of a value that carries a packed page (a pulled page, a send's input): its packed bytes are
 * the payload's data as they are, the rest of the value is JSON in the metadata. As JSON, the bytes would
 * travel as base64 text that the codec compresses again at every hop, and the workflow sandbox would run
 * its UTF-8 encoder over them; as data they are only encrypted.
 */
export const PACKED_RECORDS_ENCODING = 'binary/packed-records';
/** Metadata key of the value without its packed bytes, as JSON. */
export const PACKED_RECORDS_VALUE_KEY = 'packed-records-value';

/** The shape this converter takes over: any object whose `packed` holds binary `deflated` bytes. */
interface WithBinaryPacked {
  readonly packed: { readonly deflated: Uint8Array };
}

function hasBinaryPacked(value: unknown): value is WithBinaryPacked {
  if (typeof value !== 'object' || value === null) return false;
  const packed = (value as { packed?: unknown }).packed;
  // ArrayBuffer.isView, not instanceof: in the workflow sandbox the bytes come from another realm.
  return typeof packed === 'object' && packed !== null && ArrayBuffer.isView((packed as { deflated?: unknown }).deflated);
}

export class PackedRecordsPayloadConverter implements PayloadConverterWithEncoding {
  readonly encodingType = PACKED_RECORDS_ENCODING;

  toPayload(value: unknown): Payload | undefined {
    if (!hasBinaryPacked(value)) return undefined;
    const { deflated, ...packed } = value.packed;
    return {
      metadata: { [METADATA_ENCODING_KEY]: encode(PACKED_RECORDS_ENCODING), [PACKED_RECORDS_VALUE_KEY]: encode(JSON.stringify({ ...value, packed })) },
      data: deflated,
    };
  }

  fromPayload<T>(payload: Payload): T {
    const valueJson = payload.metadata?.[PACKED_RECORDS_VALUE_KEY];
    if (!valueJson || !payload.data) throw new Error(`a ${PACKED_RECORDS_ENCODING} payload without its value or its data`);
    const value = JSON.parse(decode(valueJson)) as { packed: object };
    return { ...value, packed: { ...value.packed, deflated: payload.data } } as T;
  }
}

/** The default converters, with packed pages carried as binary ahead of JSON. Loaded by path in workflows too. */
export const payloadConverter = new CompositePayloadConverter(
  new UndefinedPayloadConverter(),
  new BinaryPayloadConverter(),
  new PackedRecordsPayloadConverter(),
  new JsonPayloadConverter(),
);
