/**
 * Text Microsoft wrote (an error message, an OAuth error code) made fit for logs, the Temporal UI and the
 * status query: one line, no control characters (which could move a terminal's cursor or forge log
 * lines), bounded in length. Undefined when it is not a string or nothing is left.
 */
export function safeText(value: unknown, maxChars: number = MAX_ERROR_TEXT_CHARS): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.replace(/\p{Cc}+/gu, ' ').trim();
  if (text === '') return undefined;
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

/** Enough for Microsoft's longest error messages (an AADSTS description runs to about 250 characters). */
export const MAX_ERROR_TEXT_CHARS = 300;
