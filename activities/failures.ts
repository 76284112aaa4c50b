import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { RequestError } from 'got';
import { DevoConfirmationTimeout, DevoConnectionError, DevoDeliveryError, DevoHttpRejected, DevoInvalidEvent, DevoTlsRejected } from '../devo/errors.js';
import {
  CredentialsRejectedError,
  MalformedResponseError,
  MicrosoftApiError,
  MicrosoftUnavailableError,
  PermissionMissingError,
  RequestRejectedError,
  ServicePrincipalMissingError,
  ThrottledError,
  TokenRejectedError,
  UnexpectedHtmlError,
} from '../microsoft/errors.js';
import { FailureType, type FailureTypeName } from '../workflows/failure-types.js';

export { FailureType, type FailureTypeName };

/**
 * Turns any error thrown by an activity's I/O into an ApplicationFailure of a stable type. Every message and
 * stack in its cause chain is scrubbed of URL secrets first (see scrubUrls): this is where errors become
 * failures, which history keeps for the namespace's retention.
 */
export function toApplicationFailure(err: unknown): unknown {
  scrubErrorChain(err);
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof MicrosoftApiError) return microsoftFailure(err);
  if (err instanceof DevoDeliveryError) return devoFailure(err);
  if (err instanceof RequestError) {
    // got's transport errors (timeouts, resets, DNS); the message names the method and URL, no token.
    return ApplicationFailure.create({ type: FailureType.MicrosoftUnreachable, message: `${err.code}: ${err.message}`, nonRetryable: false, cause: err });
  }
  return err;
}

function microsoftFailure(err: MicrosoftApiError): ApplicationFailure {
  const create = (type: FailureTypeName, nonRetryable: boolean, extra: Partial<Parameters<typeof ApplicationFailure.create>[0]> = {}) =>
    ApplicationFailure.create({ type, message: err.message, nonRetryable, cause: err, ...extra });
  if (err instanceof CredentialsRejectedError) return create(FailureType.CredentialsRejected, true);
  if (err instanceof ServicePrincipalMissingError) return create(FailureType.ServicePrincipalMissing, true);
  if (err instanceof TokenRejectedError) return create(FailureType.TokenRejected, true);
  if (err instanceof PermissionMissingError) return create(FailureType.PermissionMissing, true);
  if (err instanceof RequestRejectedError) return create(FailureType.RequestRejected, true);
  if (err instanceof ThrottledError) {
    // Throttling heals itself: benign keeps it out of error logs and failure metrics.
    return create(FailureType.Throttled, false, {
      nextRetryDelay: err.retryAfterMs ?? 30_000,
      category: ApplicationFailureCategory.BENIGN,
    });
  }
  if (err instanceof UnexpectedHtmlError) return create(FailureType.UnexpectedHtml, false);
  if (err instanceof MalformedResponseError) return create(FailureType.MalformedResponse, false);
  if (err instanceof MicrosoftUnavailableError) return create(FailureType.MicrosoftUnavailable, false);
  return create(FailureType.MicrosoftUnavailable, false);
}

function devoFailure(err: DevoDeliveryError): ApplicationFailure {
  const create = (type: FailureTypeName, nonRetryable: boolean) =>
    ApplicationFailure.create({ type, message: err.message, nonRetryable, cause: err });
  if (err instanceof DevoTlsRejected) return create(FailureType.DevoTlsRejected, true);
  if (err instanceof DevoHttpRejected) return create(FailureType.DevoRejected, true);
  if (err instanceof DevoInvalidEvent) return create(FailureType.DevoInvalidEvent, true);
  if (err instanceof DevoConnectionError || err instanceof DevoConfirmationTimeout) return create(FailureType.DevoUnavailable, false);
  return create(FailureType.DevoUnavailable, false);
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
export async function withFailureTypes<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toApplicationFailure(err);
  }
}
