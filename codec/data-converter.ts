import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { codecKey, EncryptionCodec, type EncryptionCodecOptions } from './codec.js';

/**
 * The payload converter module (codec/payload-converter), as TypeScript under tsx or compiled JavaScript
 * under dist/. The SDK loads it by path: workers bundle it into the workflow code.
 */
export function payloadConverterPath(): string {
  return converterModulePath('payload-converter');
}

/** The failure converter module (codec/failure-converter), loaded by path like the payload converter. */
export function failureConverterPath(): string {
  return converterModulePath('failure-converter');
}

function converterModulePath(module: string): string {
  // The SDK require()s the module; require() of an ES module works from Node.js 20.19 on (engines says so).
  if (!(process.features as { require_module?: boolean }).require_module) throw new Error(`Node.js ${process.version} cannot require() the ${module} (an ES module): Node.js 20.19 or later is needed`);
  for (const name of [`${module}.ts`, `${module}.js`]) {
    const path = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`codec/${module}.{ts,js} not found`);
}

/**
 * The codec of every process: encrypts with the current key (PAYLOAD_KEY), decrypts with it or any of the
 * previous ones (PAYLOAD_KEY_PREVIOUS), so histories written before a key rotation stay readable.
 */
export function createCodec(payloadKey: Buffer, previousKeys: readonly Buffer[] = [], options: EncryptionCodecOptions = {}): EncryptionCodec {
  return new EncryptionCodec([codecKey(payloadKey), ...previousKeys.map(codecKey)], options);
}

/**
 * The data converter shared by client and worker: the payload converter that carries packed pages as
 * binary, the failure converter that moves failure messages and stacks into encrypted attributes, then the
 * encryption codec. Built once per process from the configured keys.
 */
export function createDataConverter(payloadKey: Buffer, previousKeys: readonly Buffer[] = []): DataConverter {
  return { payloadConverterPath: payloadConverterPath(), failureConverterPath: failureConverterPath(), payloadCodecs: [createCodec(payloadKey, previousKeys)] };
}

/** The data converter of the configured keys (PAYLOAD_KEY, PAYLOAD_KEY_PREVIOUS), as workers and clients build it. */
export function dataConverterFor(keys: { readonly payloadKey?: Buffer; readonly previousPayloadKeys?: readonly Buffer[] }): DataConverter {
  if (!keys.payloadKey) throw new Error('PAYLOAD_KEY or PAYLOAD_KEY_FILE is required');
  return createDataConverter(keys.payloadKey, keys.previousPayloadKeys);
}
