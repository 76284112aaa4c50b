import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { RequestError } from 'got';
import { failureMeaning, FailureType, type FailureTypeName } from '../contracts/failure-types.js';
import { ThrottledError } from '../microsoft/errors.js';
import { describeRetryAfter, MAX_RETRY_AFTER_MS, retryDelayFor } from '../microsoft/retry-after.js';

export { FailureType, type FailureTypeName };

/** How failures are made; the worker keeps the defaults, tests shorten waits. */
export interface FailureOptions {
  /** The longest Retry-After honoured as the next retry delay. @default MAX_RETRY_AFTER_MS (5 minutes) */
  readonly maxRetryAfterMs?: number;
}

/** A domain error (microsoft/errors.ts, devo/errors.ts, TenantNotServedError) names the failure type it becomes. */
type DeclaresFailureType = Error & { readonly failureType: FailureTypeName };

function declaresFailureType(err: unknown): err is DeclaresFailureType {
  return err instanceof Error && 'failureType' in err && failureMeaning(err.failureType as string) !== undefined;
}

/**
 * Turns any error thrown by an activity's I/O into an ApplicationFailure of a stable type. Every message and
 * stack in its cause chain is scrubbed of URL secrets first (see scrubUrls): this is where errors become
 * failures, which history keeps for the namespace's retention.
 */
export function toApplicationFailure(err: unknown, options: FailureOptions = {}): unknown {
  scrubErrorChain(err);
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ThrottledError) return throttledFailure(err, options);
  if (declaresFailureType(err)) {
    const type = err.failureType;
    return ApplicationFailure.create({ type, message: err.message, nonRetryable: !failureMeaning(type)!.retryable, cause: err });
  }
  if (err instanceof RequestError) {
    // got's transport errors (timeouts, resets, DNS); the message names the method and URL, no token.
    const type = FailureType.MicrosoftUnreachable;
    return ApplicationFailure.create({ type, message: `${err.code}: ${err.message}`, nonRetryable: !failureMeaning(type)!.retryable, cause: err });
  }
  return err;
}

/**
 * Retry-After is honoured up to a cap: a huge or unreadable one would otherwise become the delay and park
 * the tenant for years with nothing to alert on. The message states both values, for status.
 */
function throttledFailure(err: ThrottledError, options: FailureOptions): ApplicationFailure {
  const delayMs = retryDelayFor(err.retryAfter, options.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS);
  const message = `${err.message}; Microsoft asked ${describeRetryAfter(err.retryAfter)}, retrying in ${Math.round(delayMs / 1000)} s`;
  // Throttling heals itself: benign keeps it out of error logs and failure metrics.
  return ApplicationFailure.create({ type: err.failureType, message, nonRetryable: !failureMeaning(err.failureType)!.retryable, cause: err, nextRetryDelay: delayMs, category: ApplicationFailureCategory.BENIGN });
}

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
/** Devo HTTP ingestion carries its token in the path: POST {url}/stream/{domain}/token!{token}/... */
const PATH_TOKEN = /token![^\s/"'<>]+/gi;

/**
 * Text fit for history and logs: each URL keeps its scheme, host and path (what an operator needs to find
 * the request) but loses its userinfo, its query string and fragment (tokens, signatures, filters naming
 * addresses), and a Devo token in a path is masked. As got does for credentials (source/core/utils/strip-url-auth.ts).
 */
export function scrubUrls(text: string): string {
  return text.replace(URL_PATTERN, scrubUrl).replace(PATH_TOKEN, 'token!***');
}

function scrubUrl(text: string): string {
  // A URL at the end of a sentence keeps its full stop or comma outside.
  const [, body = text, tail = ''] = /^(.*?)([.,;:)\]]*)$/.exec(text) ?? [];
  try {
    const url = new URL(body);
    const query = url.search || url.hash ? '?…' : '';
    return `${url.protocol}//${url.host}${url.pathname}${query}${tail}`;
  } catch {
    // Not parsable: cut at the query and drop anything before an @ in the authority.
    return body.replace(/^([^:]+:\/\/)[^/@]*@/, '$1').replace(/[?#].*$/, '?…') + tail;
  }
}

/** Scrubs message and stack of `err` and of each cause below it, in place. */
function scrubErrorChain(err: unknown): void {
  const seen = new Set<unknown>();
  for (let e = err; e instanceof Error && !seen.has(e) && seen.size < 16; e = e.cause) {
    seen.add(e);
    e.message = scrubUrls(e.message);
    if (e.stack) e.stack = scrubUrls(e.stack);
  }
}

/** Runs an activity body and converts whatever it throws. */
export async function withFailureTypes<T>(body: () => Promise<T>, options: FailureOptions = {}): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toApplicationFailure(err, options);
  }
}
