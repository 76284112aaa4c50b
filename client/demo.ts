import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { loadOrCreateCertificateSet } from '../devo/certificates.js';
import { startDevoReceiver } from '../emulator/devo-receiver/index.js';
import { startMicrosoftEmulator } from '../emulator/microsoft-365/index.js';

/** Rows per hour in the demo tenant: a small, busy-looking organisation. */
const DEMO_ROWS_PER_HOUR = 3_000;
/** The demo keeps producing mail for this long, so the live tail has something to collect. */
const DEMO_FUTURE_MS = 7 * 86_400_000;

/** A running demo: the configuration pointing at it, what to tell the user, and how to stop it. */
export interface Demo {
  readonly config: Config;
  readonly lines: string[];
  stop(): Promise<void>;
}

/**
 * The all-in-one demo: the built-in Microsoft 365 emulator stands in for the tenant and a local Devo
 * receiver (mutual TLS, throwaway certificates) for Devo. Only used when no credentials are configured.
 */
export async function startDemo(config: Config, startMs: number): Promise<Demo> {
  const now = Date.now();
  const endMs = now + DEMO_FUTURE_MS;
  const emulator = await startMicrosoftEmulator({
    clientId: config.microsoft.clientId,
    clientSecret: config.microsoft.clientSecret,
    dataset: { seed: 7, records: Math.round(((endMs - startMs) / 3_600_000) * DEMO_ROWS_PER_HOUR), startMs, endMs },
  });
  const certsDir = join(config.dataDir, 'certs');
  const { set: certs, paths } = await loadOrCreateCertificateSet(certsDir);
  const outDir = join(config.dataDir, 'devo');
  const receiver = await startDevoReceiver({ tls: { port: 0, certs }, outDir });
  const demoConfig: Config = {
    ...config,
    microsoft: { ...config.microsoft, loginUrl: emulator.url, graphUrl: emulator.url, reportingUrl: emulator.url },
    devo: {
      ...config.devo,
      transport: 'tls',
      address: '127.0.0.1',
      port: receiver.tlsPort!,
      certPath: paths.clientCert,
      keyPath: paths.clientKey,
      chainPath: paths.caCert,
    },
  };
  return {
    config: demoConfig,
    lines: [
      'DEMO MODE: no Microsoft credentials are set (O365_TENANT_ID, O365_CLIENT_ID, O365_CLIENT_SECRET); nothing leaves this machine.',
      `  Microsoft 365: built-in emulator at ${emulator.url} (seeded data, late rows, Microsoft's quota)`,
      `  Devo: local receiver at tls://127.0.0.1:${receiver.tlsPort} (mutual TLS, certificates in ${certsDir}), records in ${join(outDir, `${config.devo.tag}.jsonl`)}`,
    ],
    async stop() {
      await receiver.close();
      await emulator.close();
    },
  };
}
