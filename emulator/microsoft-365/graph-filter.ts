import { FilterSyntaxError, tokenize, TokenStream, type Token } from './odata-lexer.js';
import { parsePreciseIso, type PreciseTime } from './time.js';

/** The Graph properties documented with `eq` (docs/sources.md#graph-query). */
export const GRAPH_EQ_PROPERTIES = ['id', 'messageId', 'senderAddress', 'recipientAddress', 'status', 'fromIP', 'toIP', 'subject'] as const;
/** One of {@link GRAPH_EQ_PROPERTIES}. */
export type GraphEqProperty = (typeof GRAPH_EQ_PROPERTIES)[number];

/** A parsed Graph messageTraces `$filter`. */
export interface GraphFilter {
  /** `receivedDateTime ge …` and `receivedDateTime le …`, both inclusive, at 100-ns precision. */
  readonly ge?: PreciseTime;
  readonly le?: PreciseTime;
  /** `property eq '…'` terms; a repeated property keeps its last value. */
  readonly equals: ReadonlyMap<GraphEqProperty, string>;
  /** `contains|startswith|endswith(subject, '…')`, case-insensitive; the last one wins. */
  readonly subject?: { readonly op: 'contains' | 'startswith' | 'endswith'; readonly text: string };
}

/** A filter Graph would refuse, with the message of its 400. */
export class GraphFilterError extends Error {
  override name = 'GraphFilterError';
}

const FUNCTIONS = ['contains', 'startswith', 'endswith'] as const;

/**
 * Parses the documented filter grammar: terms joined by `and`. Observed quirks kept (docs/sources.md#graph-query
 * "Observed real-API behaviour"): `or` is accepted but combined like `and`, with the last value of a
 * property winning; string functions on anything but `subject` are accepted and ignored. `ne`, `in`,
 * `not`, `gt` and `lt` are refused, where the real service is said to ignore them [I]: refusing loudly
 * beats silently serving a different set of rows. Property names are matched case-insensitively.
 */
export function parseGraphFilter(filter: string): GraphFilter {
  const stream = new TokenStream(tokenizeOrThrow(filter));
  const result: { ge?: PreciseTime; le?: PreciseTime; equals: Map<GraphEqProperty, string>; subject?: GraphFilter['subject'] } = { equals: new Map() };
  let depth = 0;
  for (;;) {
    while (stream.accept('(')) depth++;
    term(stream, result, filter);
    while (depth > 0 && stream.accept(')')) depth--;
    if (stream.acceptWord('and', 'or')) continue;
    const t = stream.peek();
    if (t.kind === 'end' && depth === 0) return result;
    throw syntax(filter, t);
  }
}

function term(stream: TokenStream, result: { ge?: PreciseTime; le?: PreciseTime; equals: Map<GraphEqProperty, string>; subject?: GraphFilter['subject'] }, filter: string): void {
  const fn = stream.acceptWord(...FUNCTIONS) as (typeof FUNCTIONS)[number] | undefined;
  if (fn) {
    const property = stream.accept('(') ? stream.next() : stream.peek();
    const text = stream.accept(',') ? stream.next() : stream.peek();
    if (property.kind !== 'word' || text.kind !== 'string' || !stream.accept(')')) throw syntax(filter, stream.peek());
    if (property.text.toLowerCase() === 'subject') result.subject = { op: fn, text: text.text };
    return;
  }
  const name = stream.next();
  if (name.kind !== 'word') throw syntax(filter, name);
  const property = name.text.toLowerCase();
  const operator = stream.next();
  if (operator.kind !== 'word') throw syntax(filter, operator);
  const op = operator.text.toLowerCase();
  const value = stream.next();
  if (property === 'receiveddatetime') {
    if (op !== 'ge' && op !== 'le') throw new GraphFilterError(`Invalid filter clause: receivedDateTime supports only 'ge' and 'le', not '${operator.text}'.`);
    result[op] = dateTimeOffset(value);
    return;
  }
  const eq = GRAPH_EQ_PROPERTIES.find((p) => p.toLowerCase() === property);
  if (!eq) throw new GraphFilterError(`Invalid filter clause: Could not find a property named '${name.text}' on type 'microsoft.graph.exchangeMessageTrace'.`);
  if (op !== 'eq') throw new GraphFilterError(`Invalid filter clause: ${eq} supports only 'eq', not '${operator.text}'.`);
  if (value.kind !== 'string') throw new GraphFilterError(`Invalid filter clause: the value compared with ${eq} must be a quoted string.`);
  result.equals.set(eq, value.text);
}

/** Graph's DateTimeOffset literal: unquoted ISO with a zone. OData v4 allows up to 12 fractional digits; beyond 7 are truncated [I]. */
function dateTimeOffset(value: Token): PreciseTime {
  if (value.kind === 'string') {
    throw new GraphFilterError("A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind 'GreaterThanOrEqual'.");
  }
  const text = value.kind === 'word' ? value.text : '';
  const time = parsePreciseIso(text, { requireZone: true, maxFractionDigits: 12 });
  if (!time) {
    throw new GraphFilterError(`The DateTimeOffset text '${text}' should be in format 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range.`);
  }
  return time;
}

function tokenizeOrThrow(filter: string): Token[] {
  try {
    return tokenize(filter);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new GraphFilterError(`Invalid filter clause: ${err.message}`);
    throw err;
  }
}

function syntax(filter: string, at: Token): GraphFilterError {
  return new GraphFilterError(`Invalid filter clause: Syntax error at position ${at.at} in '${filter}'.`);
}
