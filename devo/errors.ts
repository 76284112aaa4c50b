/**
 * Errors from delivering to Devo. Messages name the endpoint and what the operator can do; never a
 * key, a token or record contents. Each class declares the failure type it becomes (activities/failures.ts).
 */
import { FailureType, type FailureTypeName } from '../contracts/failure-types.js';

export class DevoDeliveryError extends Error {
  override name = 'DevoDeliveryError';
  /** The failure type it becomes (contracts/failure-types.ts says whether retries may heal it). */
  get failureType(): FailureTypeName {
    return FailureType.DevoUnavailable;
  }
}

/**
 * The connection could not be made (refused, DNS, connect timeout), broke (reset, broken pipe), or was
 * closed by the receiver before the batch was confirmed. Retryable: the batch's fate is unknown, so it
 * must be sent again (Devo tolerates the duplicate; losing it is not tolerated).
 */
export class DevoConnectionError extends DevoDeliveryError {
  override name = 'DevoConnectionError';
}

/** Which side of the mutual TLS handshake was refused, and so what the operator must fix. */
export type TlsRejectionReason =
  /** Devo refused our certificate (unknown CA, expired, revoked, missing): DEVO_CERT / DEVO_KEY. */
  | 'client-certificate'
  /** Our certificate or key could not be loaded (unreadable PEM, key not matching the certificate). */
  | 'local-credentials'
  /** The endpoint's certificate does not verify against DEVO_CHAIN, or does not name DEVO_ADDRESS. */
  | 'server-untrusted'
  /** No common TLS version or cipher, or the port does not speak TLS at all: DEVO_ADDRESS / DEVO_PORT. */
  | 'protocol';

const REMEDY: Record<TlsRejectionReason, string> = {
  'client-certificate': "the receiver refused our client certificate: check that DEVO_CERT and DEVO_KEY are the Devo domain's certificate and key, still valid, issued for this domain",
  'local-credentials': 'our client certificate or key could not be used: check that DEVO_CERT and DEVO_KEY are readable PEM files and that the key belongs to the certificate',
  'server-untrusted': "the endpoint's certificate does not verify: check that DEVO_CHAIN is Devo's CA chain and DEVO_ADDRESS the collector name the certificate was issued for",
  protocol: 'no TLS 1.2/1.3 session could be agreed (version, cipher, or a client certificate the endpoint did not accept): check that DEVO_ADDRESS and DEVO_PORT name a Devo TLS endpoint, not a plain-TCP relay, and that DEVO_CERT and DEVO_KEY are set',
};

/**
 * The TLS handshake failed because of certificates or protocol, not the network: Devo refused our
 * client certificate (with TLS 1.3 this surfaces only after the handshake, as an alert or a reset), the
 * endpoint's certificate does not verify against the configured chain, or our own key/cert is unusable.
 * Non-retryable: the same credentials will be refused again until an operator changes them.
 */
export class DevoTlsRejected extends DevoDeliveryError {
  override name = 'DevoTlsRejected';
  override get failureType(): FailureTypeName {
    return FailureType.DevoTlsRejected;
  }
  /** Which side was refused; the message carries the matching remedy. */
  readonly reason: TlsRejectionReason;
  constructor(where: string, reason: TlsRejectionReason, detail: string, options?: ErrorOptions) {
    super(`${where}: TLS refused (${detail}): ${REMEDY[reason]}`, options);
    this.reason = reason;
  }
}

/**
 * The batch was written and half-closed, but the receiver's EOF did not arrive within the confirmation
 * timeout, or the receiver stopped reading while the batch was being written. Retryable; the batch may
 * or may not have been ingested, so it is sent again.
 */
export class DevoConfirmationTimeout extends DevoDeliveryError {
  override name = 'DevoConfirmationTimeout';
}

/**
 * Devo's HTTP endpoint answered with a status that retrying will not heal (401, 403, 404, 413, other
 * 4xx except 429). `status` is the HTTP status code. Non-retryable.
 */
export class DevoHttpRejected extends DevoDeliveryError {
  override name = 'DevoHttpRejected';
  override get failureType(): FailureTypeName {
    return FailureType.DevoRejected;
  }
  constructor(
    message: string,
    /** The HTTP status Devo answered with. */
    readonly status: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Devo's HTTP endpoint answered with a redirect (3xx). It is never followed: the records and the token
 * in the URL would go to whatever host the redirect names, and that host's 2xx would be taken for
 * Devo's confirmation. Non-retryable: DEVO_HTTP_URL must name the endpoint itself. The message names no
 * `location`, which could carry the token.
 */
export class DevoHttpRedirected extends DevoHttpRejected {
  override name = 'DevoHttpRedirected';
}

/**
 * An event cannot be framed: its tag is not a safe Devo tag, its hostname holds whitespace, or its
 * timestamp is not a date. Thrown before any I/O; a configuration or programming error, never healed
 * by retrying.
 */
export class DevoInvalidEvent extends DevoDeliveryError {
  override name = 'DevoInvalidEvent';
  override get failureType(): FailureTypeName {
    return FailureType.DevoInvalidEvent;
  }
}

// OpenSSL alert reasons the peer sends when it refuses our certificate (TLS 1.2 during the handshake,
// TLS 1.3 after it). Node surfaces them as ERR_SSL_<VERSION>_ALERT_<REASON>.
const CLIENT_CERT_ALERT = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(?:CERTIFICATE_\w+|BAD_CERTIFICATE|UNKNOWN_CA|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|DECRYPT_ERROR)$/;
// Node's verification of the server's certificate (X509_V_ERR_* names without the prefix).
const SERVER_UNTRUSTED = /^(?:UNABLE_TO_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_\w+|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED)$/;
const PROTOCOL = /^ERR_SSL_(?:WRONG_VERSION_NUMBER|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|TLSV1_ALERT_PROTOCOL_VERSION|SSLV3_ALERT_HANDSHAKE_FAILURE|NO_SHARED_CIPHER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST)$/;
const LOCAL = /^ERR_OSSL_(?:PEM_\w+|X509_KEY_VALUES_MISMATCH|EVP_\w+|ASN1_\w+|UNSUPPORTED)$/;

/**
 * Which TLS rejection an error code means, or undefined when it is a network failure. `handshakeDone`
 * tells a certificate alert apart from other ERR_SSL_* noise on an established session.
 */
export function tlsRejectionReason(code: string, handshakeDone: boolean): TlsRejectionReason | undefined {
  if (CLIENT_CERT_ALERT.test(code)) return 'client-certificate';
  if (SERVER_UNTRUSTED.test(code)) return 'server-untrusted';
  if (LOCAL.test(code)) return 'local-credentials';
  if (!handshakeDone && (PROTOCOL.test(code) || code.startsWith('ERR_SSL_'))) return 'protocol';
  return undefined;
}
