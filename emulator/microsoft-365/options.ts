import type { Logger } from '../../logging/logger.js';
import type { FederatedCredentialOptions } from './client-assertions.js';
import type { DatasetOptions } from './dataset.js';
import type { FaultScript } from './faults.js';
import type { QuotaOptions } from './quota.js';
import type { TraceDataset } from './trace-dataset.js';

/** How to start the Microsoft 365 emulator. */
export interface MicrosoftEmulatorOptions {
  /** Listen address. @default '127.0.0.1' */
  host?: string;
  /** Listen port; 0 picks a free one. @default 0 */
  port?: number;
  /** The only app registration accepted; every tenant id in token URLs is accepted. */
  clientId: string;
  clientSecret: string;
  /** Certificates (PEM) registered on the app: their keys sign accepted client assertions. @default none */
  clientCertificates?: readonly string[];
  /** Federated identity credentials of the app: whose external tokens are accepted as its assertion. @default none */
  federatedCredentials?: readonly FederatedCredentialOptions[];
  /** The tenant's mail: options to generate it, or a dataset already generated (to share between emulators). */
  dataset: DatasetOptions | TraceDataset;
  /** Requests per rolling window per tenant, shared by Graph and RWS; null = no quota. @default { requests: 100, windowMs: 300_000 } */
  quota?: QuotaOptions | null;
  /** Lifetime of issued tokens. @default 3599 */
  tokenLifetimeSeconds?: number;
  /** The app holds ExchangeMessageTrace.Read.All; false → Graph 403. @default true */
  graphPermission?: boolean;
  /** The app may read the RWS report; false → 403 "No permission to access the report for the organization .". @default true */
  reportingPermission?: boolean;
  /** The message trace service principal exists; false → Graph 401 "Service principal-less Authentication failed…". @default true */
  servicePrincipalProvisioned?: boolean;
  /** The RWS refuses a StartDate more than this many days before today. @default 10 */
  reportingMaxAgeDays?: number;
  /** How the RWS JSON light next link is written: `../../ReportingWebService/…` or absolute. @default 'relative' */
  reportingNextLink?: 'relative' | 'absolute';
  /** The clock for visibility, status changes, token expiry, quota and filter limits. @default Date.now */
  now?: () => number;
  /** Where request lines go (debug level; paths only, never queries, bodies or tokens). @default silent */
  logger?: Logger;
}

/** Request counts and volume since start or the last reset. */
export interface EmulatorStats {
  /** Counts keyed `<endpoint> <status>`, e.g. `graph 200`, `reporting 429`, `token 401`, `other 404`. */
  requests: Record<string, number>;
  /** Rows in pages served with 200 (faulted answers excluded). */
  rowsServed: number;
  /** Pages served with 200, empty ones included. */
  pagesServed: number;
}

/** A running emulator. */
export interface MicrosoftEmulator {
  /** `http://host:port`: login, Graph and RWS paths on one origin. */
  readonly url: string;
  readonly dataset: TraceDataset;
  /** Scripted faults: `add(fault)`, `clear()`, `pending()`. */
  readonly faults: FaultScript;
  /** Changes what the app may do; takes effect on the next request, with existing tokens. */
  setPermissions(p: { graph?: boolean; reporting?: boolean; servicePrincipalProvisioned?: boolean }): void;
  /** Registers one more certificate (PEM) on the app, as uploading it in Entra does. */
  registerCertificate(pem: string): void;
  /** Adds a federated identity credential to the app. */
  addFederatedCredential(credential: FederatedCredentialOptions): void;
  /** Every token issued so far becomes invalid (401 on next use). */
  expireTokens(): void;
  stats(): EmulatorStats;
  resetStats(): void;
  /** Stops listening and drops open connections, hanging ones included. */
  close(): Promise<void>;
}
