/**
 * Errors from Microsoft's identity platform, Graph and the Reporting Web Service. Messages name the
 * method, host and path and what the operator can do; never a token, a secret or a record.
 * Each class declares the failure type it becomes; activities/failures.ts makes that an ApplicationFailure.
 */
import { FailureType, type FailureTypeName } from '../contracts/failure-types.js';
import type { RetryAfter } from './retry-after.js';

export class MicrosoftApiError extends Error {
  override name = 'MicrosoftApiError';
  /** The failure type it becomes (contracts/failure-types.ts says whether retries may heal it). */
  get failureType(): FailureTypeName {
    return FailureType.MicrosoftUnavailable;
  }
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
  override get failureType(): FailureTypeName {
    return FailureType.CredentialsRejected;
  }
}

/** An API refused the bearer token (expired or revoked): fetch a fresh token, then retry the page. */
export class TokenRejectedError extends MicrosoftApiError {
  override name = 'TokenRejectedError';
  override get failureType(): FailureTypeName {
    return FailureType.TokenRejected;
  }
}

/**
 * Graph answered 401 because the tenant has no service principal for Microsoft's message trace app
 * (8bd644d1-64a1-4d4b-ae52-2e0cbf64e373); provisioning it can take hours (docs/sources.md#graph-auth).
 */
export class ServicePrincipalMissingError extends MicrosoftApiError {
  override name = 'ServicePrincipalMissingError';
  override get failureType(): FailureTypeName {
    return FailureType.ServicePrincipalMissing;
  }
}

/** 403: the app lacks the API permission, admin consent or (RWS) a directory role (docs/sources.md#rws-auth, #graph-auth). */
export class PermissionMissingError extends MicrosoftApiError {
  override name = 'PermissionMissingError';
  override get failureType(): FailureTypeName {
    return FailureType.PermissionMissing;
  }
}

/**
 * 429: the tenant's quota (100 requests per 5 minutes) is spent. `retryAfter` is what the Retry-After
 * header asked for, as read (uncapped); activities/failures.ts turns it into the retry delay.
 */
export class ThrottledError extends MicrosoftApiError {
  override name = 'ThrottledError';
  override get failureType(): FailureTypeName {
    return FailureType.Throttled;
  }
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
  override get failureType(): FailureTypeName {
    return FailureType.UnexpectedHtml;
  }
}

/** A 200 whose body is not the JSON shape the API documents (truncated, invalid, or a foreign next link). */
export class MalformedResponseError extends MicrosoftApiError {
  override name = 'MalformedResponseError';
  override get failureType(): FailureTypeName {
    return FailureType.MalformedResponse;
  }
}

/** 400: Microsoft refused the query itself (a filter or range it does not accept, an expired next link). */
export class RequestRejectedError extends MicrosoftApiError {
  override name = 'RequestRejectedError';
  override get failureType(): FailureTypeName {
    return FailureType.RequestRejected;
  }
}

/**
 * Entra ID refused a client assertion: a certificate's signed JWT (unknown or wrong key, wrong audience,
 * expired, replayed) or a federated token (issuer, subject or audience not matching a federated identity
 * credential, expired). `credential` says which, so the failure names what to renew.
 */
export class ClientAssertionRejectedError extends CredentialsRejectedError {
  override name = 'ClientAssertionRejectedError';
  override get failureType(): FailureTypeName {
    return this.credential === 'certificate' ? FailureType.CertificateRejected : FailureType.FederatedTokenRejected;
  }
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
  override get failureType(): FailureTypeName {
    return FailureType.CredentialExpired;
  }
}

/** The federated token file is missing or empty when a token is requested (the platform stopped writing it). */
export class FederatedTokenUnreadableError extends MicrosoftApiError {
  override name = 'FederatedTokenUnreadableError';
  override get failureType(): FailureTypeName {
    return FailureType.FederatedTokenUnreadable;
  }
}
