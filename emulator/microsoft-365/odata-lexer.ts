/**
 * Tokens of an OData `$filter`, enough for the message trace grammars: words (names, operators and
 * unquoted literals such as Graph's `2026-01-20T00:00:00Z`), quoted strings with `''` for a quote,
 * typed literals such as `datetime'…'` and `guid'…'` (OData v2, the RWS), and punctuation.
 */
export type Token =
  | { readonly kind: 'word'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly text: string; readonly at: number }
  | { readonly kind: 'typed'; readonly type: string; readonly text: string; readonly at: number }
  | { readonly kind: '(' | ')' | ',' | 'end'; readonly at: number };

/** A syntax problem at a position (0-based), worded by each API's parser. */
export class FilterSyntaxError extends Error {
  constructor(message: string, readonly at: number) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

const WORD = /[A-Za-z0-9_.:+\-$]/;

/** Splits a filter into tokens; throws FilterSyntaxError on an unterminated string or a stray character. */
export function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const ch = filter[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, at: i++ });
    } else if (ch === "'") {
      const { text, next } = quoted(filter, i);
      tokens.push({ kind: 'string', text, at: i });
      i = next;
    } else if (WORD.test(ch)) {
      const start = i;
      while (i < filter.length && WORD.test(filter[i]!)) i++;
      const word = filter.slice(start, i);
      if (filter[i] === "'" && /^[A-Za-z]+$/.test(word)) {
        const { text, next } = quoted(filter, i);
        tokens.push({ kind: 'typed', type: word.toLowerCase(), text, at: start });
        i = next;
      } else {
        tokens.push({ kind: 'word', text: word, at: start });
      }
    } else {
      throw new FilterSyntaxError(`Syntax error: character '${ch}' is not valid at position ${i} in '${filter}'.`, i);
    }
  }
  tokens.push({ kind: 'end', at: filter.length });
  return tokens;
}

/** Reads a quoted literal starting at the opening quote; `''` inside stands for one quote. */
function quoted(filter: string, open: number): { text: string; next: number } {
  let text = '';
  for (let i = open + 1; i < filter.length; i++) {
    if (filter[i] !== "'") {
      text += filter[i];
    } else if (filter[i + 1] === "'") {
      text += "'";
      i++;
    } else {
      return { text, next: i + 1 };
    }
  }
  throw new FilterSyntaxError(`There is an unterminated string literal at position ${open} in '${filter}'.`, open);
}

/** A cursor over tokens with the small helpers both grammars use. */
export class TokenStream {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token {
    return this.tokens[this.i]!;
  }

  next(): Token {
    const t = this.tokens[this.i]!;
    if (t.kind !== 'end') this.i++;
    return t;
  }

  /** Consumes a word equal (case-insensitively) to one of `words`, returning it lower-cased. */
  acceptWord(...words: string[]): string | undefined {
    const t = this.peek();
    if (t.kind === 'word' && words.includes(t.text.toLowerCase())) {
      this.i++;
      return t.text.toLowerCase();
    }
    return undefined;
  }

  accept(kind: '(' | ')' | ','): boolean {
    if (this.peek().kind !== kind) return false;
    this.i++;
    return true;
  }
}
