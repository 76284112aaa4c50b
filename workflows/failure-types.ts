/**
 * Failure types: stable names that activities raise, the workflow matches on (never on message text) and
 * operators see in the Temporal UI. Pure constants, so workflow code may import them.
 */
export const FailureType = {
  CredentialsRejected: 'CredentialsRejected',
  CertificateRejected: 'CertificateRejected',
  FederatedTokenRejected: 'FederatedTokenRejected',
  CredentialExpired: 'CredentialExpired',
  FederatedTokenUnreadable: 'FederatedTokenUnreadable',
  TokenRejected: 'TokenRejected',
  ServicePrincipalMissing: 'ServicePrincipalMissing',
  PermissionMissing: 'PermissionMissing',
  RequestRejected: 'RequestRejected',
  Throttled: 'Throttled',
  MicrosoftUnavailable: 'MicrosoftUnavailable',
  MicrosoftUnreachable: 'MicrosoftUnreachable',
  UnexpectedHtml: 'UnexpectedHtml',
  MalformedResponse: 'MalformedResponse',
  DevoUnavailable: 'DevoUnavailable',
  DevoTlsRejected: 'DevoTlsRejected',
  DevoRejected: 'DevoRejected',
  DevoInvalidEvent: 'DevoInvalidEvent',
  TenantNotServed: 'TenantNotServed',
} as const;

export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];

/**
 * Failures only an operator can fix, with what to do. The collector stops on them, keeps its cursor,
 * shows the hint in status and tries the same step again later (or at once on `resume`).
 */
export const OPERATOR_HINTS: Partial<Record<FailureTypeName, string>> = {
  CredentialsRejected: 'Microsoft refused the app credentials: check O365_TENANT_ID, O365_CLIENT_ID and O365_CLIENT_SECRET (the secret value, not its id) on the workers',
  CertificateRejected:
    "Entra ID refused the client certificate's assertion (the failure names the setting and the AADSTS code): upload the certificate's public part to the app registration (Certificates & secrets > Certificates), or point the setting at the certificate that is registered there; AADSTS700024 means the worker's clock is off",
  FederatedTokenRejected:
    "Entra ID refused the federated token (AADSTS700211 issuer, AADSTS700212 audience, AADSTS700213 subject, AADSTS700024 expired): make the app registration's federated credential match the token's issuer and subject, with audience api://AzureADTokenExchange",
  CredentialExpired: 'the client certificate has expired: create a new one, upload its public part to the app registration (Certificates & secrets > Certificates) and point the setting the failure names at the new PEM, then restart the workers',
  FederatedTokenUnreadable: 'the federated token file is missing or empty: check the projected service account token volume (or whatever writes the file) and the path in O365_FEDERATED_TOKEN_FILE or the tenant\'s federatedTokenFile',
  TokenRejected: 'Microsoft refuses freshly issued tokens: check that the app registration is enabled and consented in this tenant',
  ServicePrincipalMissing: "provision the service principal of Microsoft's message trace app: New-MgServicePrincipal -AppId 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373 (may take hours)",
  PermissionMissing: 'grant the app its API permission with admin consent: Graph ExchangeMessageTrace.Read.All, or for the Reporting Web Service ReportingWebService.Read.All plus the Global Reader or Security Reader role',
  RequestRejected: 'Microsoft refused the query; check O365_START against the retention (Graph 90 days, Reporting Web Service 10 days) and the window settings',
  DevoTlsRejected: 'the TLS handshake with Devo failed: check DEVO_CERT, DEVO_KEY and DEVO_CHAIN belong to the Devo domain and DEVO_ADDRESS is its collector endpoint',
  DevoRejected: 'Devo refused the HTTP request: check DEVO_HTTP_TOKEN, DEVO_DOMAIN and the token target tables',
  TenantNotServed:
    "this tenant's activities reach workers that do not serve it: give each deployment its own TEMPORAL_TASK_QUEUE (or namespace), or add the tenant to the workers' O365_TENANTS_FILE",
  DevoInvalidEvent: 'an event could not be framed for Devo: check DEVO_TAG (a dotted tag such as cloud.office365.messagetracing) and DEVO_HOSTNAME (one word)',
};
