/** Where syslog batches go: Devo's collector over mutual TLS, or an on-premise relay over plain TCP. Shared by the sender and the certificate probe. */
export type SyslogTarget =
  | {
      readonly transport: 'tls';
      readonly host: string;
      readonly port: number;
      /** PEM of the Devo domain certificate (DEVO_CERT), its key (DEVO_KEY) and Devo's CA chain (DEVO_CHAIN). */
      readonly cert: string | Buffer;
      readonly key: string | Buffer;
      readonly ca: string | Buffer;
      /** SNI and the name checked in the server certificate @default host (no SNI for an IP address) */
      readonly servername?: string;
      /** Verify the server against `ca`; false only for experiments @default true */
      readonly rejectUnauthorized?: boolean;
    }
  | { readonly transport: 'tcp'; readonly host: string; readonly port: number };
