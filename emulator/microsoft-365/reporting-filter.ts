import { FilterSyntaxError, tokenize, TokenStream } from './odata-lexer.js';
import { parsePreciseIso, type PreciseTime } from './time.js';

/** String properties the emulated RWS filters on with `eq` (jj984335: every field is filterable). */
export const REPORTING_EQ_PROPERTIES = ['SenderAddress', 'RecipientAddress', 'Status', 'MessageId', 'Subject', 'FromIP', 'ToIP', 'Organization'] as const;
/** One of {@link REPORTING_EQ_PROPERTIES}, or the GUID-typed MessageTraceId. */
export type ReportingEqProperty = (typeof REPORTING_EQ_PROPERTIES)[number] | 'MessageTraceId';

/** A parsed RWS MessageTrace `$filter`. */
export interface ReportingFilter {
  readonly startDate?: PreciseTime;
  readonly endDate?: PreciseTime;
  readonly equals: ReadonlyMap<ReportingEqProperty, string>;
}

/** A filter the RWS refuses, with the message of its 400 `odata.error`. */
export class ReportingFilterError extends Error {
  override name = 'ReportingFilterError';
}

const ENTITY = 'TenantReporting.MessageTrace';

/**
 * Parses `StartDate eq datetime'…' and EndDate eq datetime'…'` plus `eq` terms on other fields
 * (docs/sources.md#rws-query). Dates take ISO with or without `Z`, with an offset such as `+00:00`, and 0–7
 * fractional digits; a bare time is UTC. Only `eq` and `and` are accepted, as in every known client [I].
 * `datetime '…'` with a space (logz.io) is refused: the parser reads `datetime` as a property [I].
 */
export function parseReportingFilter(filter: string): ReportingFilter {
  let tokens;
  try {
    tokens = tokenize(filter);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new ReportingFilterError(err.message);
    throw err;
  }
  const stream = new TokenStream(tokens);
  const result: { startDate?: PreciseTime; endDate?: PreciseTime; equals: Map<ReportingEqProperty, string> } = { equals: new Map() };
  for (;;) {
    const name = stream.next();
    if (name.kind !== 'word') throw new ReportingFilterError(`Expression expected at position ${name.at} in '${filter}'.`);
    const property = canonical(name.text);
    if (!property) throw new ReportingFilterError(`No property '${name.text}' exists in type '${ENTITY}' at position ${name.at}.`);
    const op = stream.next();
    if (op.kind !== 'word' || op.text !== 'eq') {
      throw new ReportingFilterError(`Only the 'eq' operator is supported on '${property}' (position ${op.at} in '${filter}').`);
    }
    const value = stream.next();
    const literal = filter.slice(value.at, stream.peek().at).trim();
    if (property === 'StartDate' || property === 'EndDate') {
      const time = value.kind === 'typed' && value.type === 'datetime' ? parsePreciseIso(value.text, { maxFractionDigits: 7 }) : undefined;
      if (!time) throw new ReportingFilterError(`Unrecognized 'Edm.DateTime' literal '${literal}' at '${value.at}' in '${filter}'.`);
      result[property === 'StartDate' ? 'startDate' : 'endDate'] = time;
    } else if (property === 'MessageTraceId') {
      if (value.kind !== 'typed' || value.type !== 'guid' || !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(value.text)) {
        throw new ReportingFilterError(`Unrecognized 'Edm.Guid' literal '${literal}' at '${value.at}' in '${filter}'.`);
      }
      result.equals.set(property, value.text.toLowerCase());
    } else {
      if (value.kind !== 'string') throw new ReportingFilterError(`Operator 'eq' incompatible with operand types 'System.String' and '${literal}' at position ${op.at}.`);
      result.equals.set(property, value.text);
    }
    if (stream.acceptWord('and')) continue;
    const t = stream.peek();
    if (t.kind === 'end') return result;
    throw new ReportingFilterError(`Syntax error at position ${t.at} in '${filter}'.`);
  }
}

function canonical(name: string): 'StartDate' | 'EndDate' | ReportingEqProperty | undefined {
  // OData v2 property names are case-sensitive: `startdate` is no property of the entity.
  if (name === 'StartDate' || name === 'EndDate' || name === 'MessageTraceId') return name;
  return REPORTING_EQ_PROPERTIES.find((p) => p === name);
}
