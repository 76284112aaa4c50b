import type { DataConverter } from '@temporalio/common';
import { codecKey, EncryptionCodec } from './codec.js';

/**
 * The data converter shared by client, worker and codec server: the default payload converter, then the
 * encryption codec. Built once per process from the configured key.
 */
export function createDataConverter(payloadKey: Buffer, previousKeys: Buffer[] = []): DataConverter {
  const keys = [codecKey(payloadKey), ...previousKeys.map(codecKey)] as const;
  return { payloadCodecs: [new EncryptionCodec(keys)] };
}
