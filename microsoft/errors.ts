/**
 * Errors from Microsoft's identity platform, Graph and the Reporting Web Service. Messages name the
 * method, host and path and what the operator can do; never a token, a secret or a record.
 * activities/failures.ts turns each class into an ApplicationFailure of a stable type.
 */
import type { RetryAfter } from './retry-after.js';
export class MicrosoftApiError extends Error {
  override name = 'MicrosoftApiError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The identity platform refused the app's credentials (wrong secret, unknown client id or tenant). */
export class CredentialsRejectedError extends MicrosoftApiError {
  override name = 'CredentialsRejectedError';
}

/** An API refused the bearer token (expired or revoked): fetch a fresh token, then retry the page. */
export class TokenRejectedError extends MicrosoftApiError {
  override name = 'TokenRejectedError';
}

/**
 * Graph answered 401 because the tenant has no service principal for Microsoft's message trace app
 * (8bd644d1-64a1-4d4b-ae52-2e0cbf64e373); provisioning it can take hours (docs/sources.md#graph-auth).
 */
export class ServicePrincipalMissingError extends MicrosoftApiError {
  override name = 'ServicePrincipalMissingError';
}

/** 403: the app lacks the API permission, admin consent or (RWS) a directory role (docs/sources.md#rws-auth, #graph-auth). */
export class PermissionMissingError extends MicrosoftApiError {
  override name = 'PermissionMissingError';
}

/**
 * 429: the tenant's quota (100 requests per 5 minutes) is spent. `retryAfter` is what the Retry-After
 * header asked for, as read (uncapped); activities/failures.ts turns it into the retry delay.
 */
export class ThrottledError extends MicrosoftApiError {
  override name = 'ThrottledError';
  constructor(
    message: string,
    readonly retryAfter: RetryAfter,
  ) {
    super(message, 429);
  }
}

/** 5xx from Microsoft: transient, retried with backoff. */
export class MicrosoftUnavailableError extends MicrosoftApiError {
  override name = 'MicrosoftUnavailableError';
}

/** A 200 carrying an HTML page (the sporadic "Sign in to Outlook" page, docs/sources.md#rws-errors) instead of JSON. */
export class UnexpectedHtmlError extends MicrosoftApiError {
  override name = 'UnexpectedHtmlError';
}

/** A 200 whose body is not the JSON shape the API documents (truncated, invalid, or a foreign next link). */
export class MalformedResponseError extends MicrosoftApiError {
  override name = 'MalformedResponseError';
}

/** 400: Microsoft refused the query itself (a filter or range it does not accept, an expired next link). */
export class RequestRejectedError extends MicrosoftApiError {
  override name = 'RequestRejectedError';
}

/**
 * Entra ID refused a client assertion: a certificate's signed JWT (unknown or wrong key, wrong audience,
 * expired, replayed) or a federated token (issuer, subject or audience not matching a federated identity
 * credential, expired). `credential` says which, so the failure names what to renew.
 */
export class ClientAssertionRejectedError extends CredentialsRejectedError {
  override name = 'ClientAssertionRejectedError';
  constructor(
    message: string,
    status: number,
    readonly credential: 'certificate' | 'federated',
  ) {
    super(message, status);
  }
}

/** The client certificate is past its end of validity; found before asking Entra ID, which would refuse it. */
export class CredentialExpiredError extends MicrosoftApiError {
  override name = 'CredentialExpiredError';
}

/** The federated token file is missing or empty when a token is requested (the platform stopped writing it). */
export class FederatedTokenUnreadableError extends MicrosoftApiError {
  override name = 'FederatedTokenUnreadableError';
}
