import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { RequestError } from 'got';
import { DevoConfirmationTimeout, DevoConnectionError, DevoDeliveryError, DevoHttpRejected, DevoInvalidEvent, DevoTlsRejected } from '../devo/errors.js';
import {
  ClientAssertionRejectedError,
  CredentialExpiredError,
  CredentialsRejectedError,
  FederatedTokenUnreadableError,
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
import { describeRetryAfter, MAX_RETRY_AFTER_MS, retryDelayFor } from '../microsoft/retry-after.js';
import { FailureType, type FailureTypeName } from '../contracts/failure-types.js';
import { TenantNotServedError } from './served-tenants.js';

export { FailureType, type FailureTypeName };

/** How failures are made; the worker keeps the defaults, tests shorten waits. */
export interface FailureOptions {
  /** The longest Retry-After honoured as the next retry delay. @default MAX_RETRY_AFTER_MS (5 minutes) */
  readonly maxRetryAfterMs?: number;
}

/**
 * Turns any error thrown by an activity's I/O into an ApplicationFailure of a stable type. Every message and
 * stack in its cause chain is scrubbed of URL secrets first (see scrubUrls): this is where errors become
 * failures, which history keeps for the namespace's retention.
 */
export function toApplicationFailure(err: unknown, options: FailureOptions = {}): unknown {
  scrubErrorChain(err);
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof MicrosoftApiError) return microsoftFailure(err, options);
  if (err instanceof DevoDeliveryError) return devoFailure(err);
  if (err instanceof TenantNotServedError) {
    // Retryable on purpose. Deployments sharing a task queue get each other's activity tasks; this worker
    // refuses before any I/O, so nothing reaches its Devo or its Microsoft endpoints, and the retry goes
    // back to the queue, where a worker that serves the tenant can take it and succeed. Non-retryable
    // would end the activity on the first wrong pick though the right worker was polling. If no worker
    // serves the tenant, the retries run out and the collector waits, blocked, showing the operator hint.
    return ApplicationFailure.create({ type: FailureType.TenantNotServed, message: err.message, nonRetryable: false, cause: err });
  }
  if (err instanceof RequestError) {
    // got's transport errors (timeouts, resets, DNS); the message names the method and URL, no token.
    return ApplicationFailure.create({ type: FailureType.MicrosoftUnreachable, message: `${err.code}: ${err.message}`, nonRetryable: false, cause: err });
  }
  return err;
}

function microsoftFailure(err: MicrosoftApiError, options: FailureOptions): ApplicationFailure {
  const create = (type: FailureTypeName, nonRetryable: boolean, extra: Partial<Parameters<typeof ApplicationFailure.create>[0]> = {}) =>
    ApplicationFailure.create({ type, message: err.message, nonRetryable, cause: err, ...extra });
  if (err instanceof ClientAssertionRejectedError) return create(err.credential === 'certificate' ? FailureType.CertificateRejected : FailureType.FederatedTokenRejected, true);
  if (err instanceof CredentialExpiredError) return create(FailureType.CredentialExpired, true);
  if (err instanceof FederatedTokenUnreadableError) return create(FailureType.FederatedTokenUnreadable, true);
  if (err instanceof CredentialsRejectedError) return create(FailureType.CredentialsRejected, true);
  if (err instanceof ServicePrincipalMissingError) return create(FailureType.ServicePrincipalMissing, true);
  if (err instanceof TokenRejectedError) return create(FailureType.TokenRejected, true);
  if (err instanceof PermissionMissingError) return create(FailureType.PermissionMissing, true);
  if (err instanceof RequestRejectedError) return create(FailureType.RequestRejected, true);
  if (err instanceof ThrottledError) {
    // Retry-After is honoured up to a cap: a huge or unreadable one would otherwise become the delay and
    // park the tenant for years with nothing to alert on. The message states both values, for status.
    const delayMs = retryDelayFor(err.retryAfter, options.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS);
    const message = `${err.message}; Microsoft asked ${describeRetryAfter(err.retryAfter)}, retrying in ${Math.round(delayMs / 1000)} s`;
    // Throttling heals itself: benign keeps it out of error logs and failure metrics.
    return create(FailureType.Throttled, false, { message, nextRetryDelay: delayMs, category: ApplicationFailureCategory.BENIGN });
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
export async function withFailureTypes<T>(body: () => Promise<T>, options: FailureOptions = {}): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toApplicationFailure(err, options);
  }
}
