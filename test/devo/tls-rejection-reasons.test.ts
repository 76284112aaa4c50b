import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DevoConnectionError, DevoDeliveryError, DevoTlsRejected, tlsRejectionReason } from '../../devo/errors.js';

describe('TLS error codes and what the operator must fix', () => {
  it('maps the alerts a server sends about our certificate to client-certificate, also after the handshake (TLS 1.3)', () => {
    for (const code of ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED', 'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED']) {
      assert.equal(tlsRejectionReason(code, true), 'client-certificate', code);
      assert.equal(tlsRejectionReason(code, false), 'client-certificate', code);
    }
  });

  it("maps Node's verification of the server certificate to server-untrusted", () => {
    for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      assert.equal(tlsRejectionReason(code, false), 'server-untrusted', code);
    }
  });

  it('maps unusable local PEM to local-credentials and handshake protocol failures to protocol; network codes to nothing', () => {
    assert.equal(tlsRejectionReason('ERR_OSSL_X509_KEY_VALUES_MISMATCH', false), 'local-credentials');
    assert.equal(tlsRejectionReason('ERR_OSSL_PEM_NO_START_LINE', false), 'local-credentials');
    assert.equal(tlsRejectionReason('ERR_SSL_WRONG_VERSION_NUMBER', false), 'protocol');
    assert.equal(tlsRejectionReason('ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC', true), undefined, 'a damaged stream after the handshake is the network');
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', '']) assert.equal(tlsRejectionReason(code, false), undefined, code);
  });

  it('DevoTlsRejected names the variables to check, keeps its cause and reason, and is a DevoDeliveryError', () => {
    const cause = new Error('x');
    const err = new DevoTlsRejected('tls://h:443', 'client-certificate', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', { cause });
    assert.ok(err instanceof DevoDeliveryError && !(err instanceof DevoConnectionError));
    assert.equal(err.name, 'DevoTlsRejected');
    assert.equal(err.reason, 'client-certificate');
    assert.equal(err.cause, cause);
    assert.match(err.message, /^tls:\/\/h:443: TLS refused \(ERR_SSL_TLSV1_ALERT_UNKNOWN_CA\): .*DEVO_CERT and DEVO_KEY/);
    assert.match(new DevoTlsRejected('w', 'server-untrusted', 'd').message, /DEVO_CHAIN/);
  });
});
