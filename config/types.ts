import type { ClientCredential } from '../microsoft/client-credential.js';

/** The parts of the configuration that tenants/ completes per tenant (config/schema.ts builds them from the environment). */

/** The Microsoft side of the configuration. */
export interface MicrosoftConfig {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly source: 'graph' | 'reporting';
  readonly loginUrl: string;
  readonly graphUrl: string;
  readonly reportingUrl: string;
  /** O365_START as written; resolved against the clock when the collector starts. */
  readonly start: string;
  readonly windowMs: number;
  readonly lagMs: number;
  readonly pageSize: number;
  readonly retentionMarginMs: number;
  /** The certificate or federated credential used instead of `clientSecret`; absent: the client secret. Workers only. */
  readonly credential?: ClientCredential;
}

/** Where and how records are shipped to Devo. */
export interface DevoConfig {
  readonly transport: 'tls' | 'relay' | 'http';
  readonly address: string;
  readonly port: number;
  readonly certPath?: string;
  readonly keyPath?: string;
  readonly chainPath?: string;
  readonly tag: string;
  readonly hostname: string;
  readonly batchSize: number;
  readonly httpUrl?: string;
  readonly httpToken?: string;
  readonly domain?: string;
}
