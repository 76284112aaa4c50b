import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, so runs can be found and filtered in the Temporal UI
 * (e.g. `O365Phase = "blocked"`). They are never encoded by the codec: tenant ids, source names, times
 * and phases only, nothing secret or personal.
 */
export const TENANT = defineSearchAttributeKey('O365TenantId', SearchAttributeType.KEYWORD);
export const SOURCE = defineSearchAttributeKey('O365Source', SearchAttributeType.KEYWORD);
export const CURSOR = defineSearchAttributeKey('O365Cursor', SearchAttributeType.DATETIME);
export const PHASE = defineSearchAttributeKey('O365Phase', SearchAttributeType.KEYWORD);

/** `Name=Type` pairs for `temporal server start-dev --search-attribute`. */
export const SEARCH_ATTRIBUTE_FLAGS = ['O365TenantId=Keyword', 'O365Source=Keyword', 'O365Cursor=Datetime', 'O365Phase=Keyword'];
