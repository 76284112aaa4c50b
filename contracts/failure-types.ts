/**
 * Failure types: stable names that activities raise, the workflow matches on (never on message text) and
 * operators see in the Temporal UI. One table says, for each, whether the activity's retries may heal it
 * and, for failures only an operator can fix, what to do. Pure constants, so workflow code may import them.
 */

interface FailureMeaning {
  /** The activity's retry policy may heal it (false: the first attempt is the last). */
  readonly retryable: boolean;
  /**
   * Only an operator can fix it, and this is what to do. The collector stops on it, keeps its cursor,
   * shows the hint in status and tries the same step again later (or at once on `resume`).
   */
  readonly hint?: string;
}

const FAILURES = {
  CredentialsRejected: {
    retryable: false,
    hint: 'Microsoft refused the app credentials: check O365_TENANT_ID, O365_CLIENT_ID and O365_CLIENT_SECRET (the secret value, not its id) on the workers',
  },
  CertificateRejected: {
    retryable: false,
    hint: "Entra ID refused the client certificate's assertion (the failure names the setting and the AADSTS code): upload the certificate's public part to the app registration (Certificates & secrets > Certificates), or point the setting at the certificate that is registered there; AADSTS700024 means the worker's clock is off",
  },
  FederatedTokenRejected: {
    retryable: false,
    hint: "Entra ID refused the federated token (AADSTS700211 issuer, AADSTS700212 audience, AADSTS700213 subject, AADSTS700024 expired): make the app registration's federated credential match the token's issuer and subject, with audience api://AzureADTokenExchange",
  },
  CredentialExpired: {
    retryable: false,
    hint: 'the client certificate has expired: create a new one, upload its public part to the app registration (Certificates & secrets > Certificates) and point the setting the failure names at the new PEM, then restart the workers',
  },
  FederatedTokenUnreadable: {
    retryable: false,
    hint: "the federated token file is missing or empty: check the projected service account token volume (or whatever writes the file) and the path in O365_FEDERATED_TOKEN_FILE or the tenant's federatedTokenFile",
  },
  TokenRejected: { retryable: false, hint: 'Microsoft refuses freshly issued tokens: check that the app registration is enabled and consented in this tenant' },
  ServicePrincipalMissing: {
    retryable: false,
    hint: "provision the service principal of Microsoft's message trace app: New-MgServicePrincipal -AppId 8bd644d1-64a1-4d4b-ae52-2e0cbf64e373 (may take hours)",
  },
  PermissionMissing: {
    retryable: false,
    hint: 'grant the app its API permission with admin consent: Graph ExchangeMessageTrace.Read.All, or for the Reporting Web Service ReportingWebService.Read.All plus the Global Reader or Security Reader role',
  },
  RequestRejected: {
    retryable: false,
    hint: 'Microsoft refused the query; check O365_START against the retention (Graph 90 days, Reporting Web Service 10 days) and the window settings',
  },
  Throttled: { retryable: true },
  MicrosoftUnavailable: { retryable: true },
  MicrosoftUnreachable: { retryable: true },
  UnexpectedHtml: { retryable: true },
  MalformedResponse: { retryable: true },
  DevoUnavailable: { retryable: true },
  DevoTlsRejected: {
    retryable: false,
    hint: 'the TLS handshake with Devo failed: check DEVO_CERT, DEVO_KEY and DEVO_CHAIN belong to the Devo domain and DEVO_ADDRESS is its collector endpoint',
  },
  DevoRejected: { retryable: false, hint: 'Devo refused the HTTP request: check DEVO_HTTP_TOKEN, DEVO_DOMAIN and the token target tables' },
  DevoInvalidEvent: {
    retryable: false,
    hint: 'an event could not be framed for Devo: check DEVO_TAG (a dotted tag such as cloud.office365.messagetracing) and DEVO_HOSTNAME (one word)',
  },
  /**
   * Retryable on purpose. Deployments sharing a task queue get each other's activity tasks; the worker
   * refuses before any I/O, so nothing reaches its Devo or its Microsoft endpoints, and the retry goes back
   * to the queue, where a worker that serves the tenant can take it and succeed. Non-retryable would end
   * the activity on the first wrong pick though the right worker was polling. If no worker serves the
   * tenant, the retries run out and the collector waits, blocked, showing the operator hint.
   */
  TenantNotServed: {
    retryable: true,
    hint: "this tenant's activities reach workers that do not serve it: give each deployment its own TEMPORAL_TASK_QUEUE (or namespace), or add the tenant to the workers' O365_TENANTS_FILE",
  },
  /**
   * A send names a pulled chunk that is in neither the worker's memory nor the run's history (or differs
   * from it): sending again cannot help, so the workflow pulls that chunk again from its saved progress.
   */
  PulledChunkMissing: { retryable: false },
} as const satisfies Record<string, FailureMeaning>;

export type FailureTypeName = keyof typeof FAILURES;

/** The failure types by name, e.g. `FailureType.Throttled`. */
export const FailureType = Object.fromEntries(Object.keys(FAILURES).map((name) => [name, name])) as { readonly [K in FailureTypeName]: K };

/** What the table says of `type`; undefined for a type not in it (an SDK timeout, a plain Error's name). */
export function failureMeaning(type: string | null | undefined): FailureMeaning | undefined {
  return type && Object.hasOwn(FAILURES, type) ? FAILURES[type as FailureTypeName] : undefined;
}

/** Failures only an operator can fix, with what to do. */
export const OPERATOR_HINTS: Partial<Record<FailureTypeName, string>> = Object.fromEntries(
  Object.entries(FAILURES).flatMap(([name, meaning]) => ('hint' in meaning ? [[name, meaning.hint]] : [])),
);

/** Failure types of refusals the workflow itself answers an update with (never retried). */
export const RefusalType = {
  InvalidSettings: 'InvalidSettings',
  InvalidBackfill: 'InvalidBackfill',
  BackfillQueueFull: 'BackfillQueueFull',
} as const;
