import type { ConnectionLike } from '@temporalio/client';
import proto from '@temporalio/proto';
import { CURSOR, PHASE, SOURCE, TENANT } from '../workflows/search-attributes.js';

// @temporalio/proto is CommonJS: its namespace comes through the default export under ESM.
const { IndexedValueType } = proto.temporal.api.enums.v1;
const INDEXED: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/**
 * Registers the collector's search attributes on a cluster (idempotent). Returns false when that is not
 * allowed (e.g. Temporal Cloud without admin rights): the collector then runs without upserting them.
 */
export async function registerSearchAttributes(connection: ConnectionLike, namespace: string): Promise<boolean> {
  const wanted = [TENANT, SOURCE, CURSOR, PHASE];
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = wanted.filter((key) => !(key.name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return true;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED[key.type]!])),
    });
    return true;
  } catch {
    return false;
  }
}
