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
import { FailureType, type FailureTypeName } from '../workflows/failure-types.js';

export { FailureType, type FailureTypeName };

/** Turns any error thrown by an activity's I/O into an ApplicationFailure of a stable type. */
export function toApplicationFailure(err: unknown): unknown {
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
  if (err instanceof ClientAssertionRejectedError) return create(err.credential === 'certificate' ? FailureType.CertificateRejected : FailureType.FederatedTokenRejected, true);
  if (err instanceof CredentialExpiredError) return create(FailureType.CredentialExpired, true);
  if (err instanceof FederatedTokenUnreadableError) return create(FailureType.FederatedTokenUnreadable, true);
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

/** Runs an activity body and converts whatever it throws. */
export async function withFailureTypes<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toApplicationFailure(err);
  }
}
