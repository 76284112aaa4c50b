import type { TestContext } from 'node:test';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { startMicrosoftEmulator, type MicrosoftEmulator, type QuotaOptions } from '../../emulator/microsoft-365/index.js';
import type { TraceRecord } from '../../microsoft/records.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';

/**
 * Many tenants on one machine for tests: each tenant has an emulator of its own (its own app registration,
 * dataset and Microsoft quota), a secret the worker reads by reference, and an entry in a tenants file.
 */
export interface EmulatedTenant {
  readonly tenantId: string;
  readonly clientId: string;
  /** The variable the worker reads the secret from (or, with `secretFile`, the file). */
  readonly secretEnv: string;
  readonly secret: string;
  readonly emulator: MicrosoftEmulator;
  /** The emulator's rows received in [fromMs, toMs), as Graph sends them. */
  truth(fromMs: number, toMs: number): TraceRecord[];
}

/** One emulator per tenant, distinct datasets (seeds), torn down after the test. */
export async function emulatedTenants(
  t: TestContext,
  specs: ReadonlyArray<{ name: string; records: number; startMs: number; endMs: number; quota?: QuotaOptions | null }>,
): Promise<EmulatedTenant[]> {
  const run = randomUUID().slice(0, 6);
  const tenants = await Promise.all(
    specs.map(async (spec, i) => {
      const clientId = `app-${spec.name}`;
      const secret = `secret-${spec.name}-${randomUUID()}`;
      const emulator = await startMicrosoftEmulator({
        clientId,
        clientSecret: secret,
        dataset: settledDataset({ records: spec.records, startMs: spec.startMs, endMs: spec.endMs, seed: 101 + i }),
        ...(spec.quota !== undefined && { quota: spec.quota }),
      });
      return {
        tenantId: `${spec.name}-${run}`,
        clientId,
        secretEnv: `TENANT_${spec.name.toUpperCase()}_SECRET`,
        secret,
        emulator,
        truth: (fromMs: number, toMs: number) => graphTruth(emulator, fromMs, toMs),
      };
    }),
  );
  t.after(() => Promise.all(tenants.map((tenant) => tenant.emulator.close())));
  return tenants;
}

/** What lets a tenants file point at emulators (plain http on this machine) instead of Microsoft's hosts. */
export const EMULATOR_ENDPOINTS = { O365_ALLOW_ANY_ENDPOINT: 'true' } as const;

/** The tenants-file entry that points a tenant at its emulator, plus whatever `extra` adds. */
export function tenantEntry(tenant: EmulatedTenant, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const url = tenant.emulator.url;
  return { tenantId: tenant.tenantId, clientId: tenant.clientId, clientSecretEnv: tenant.secretEnv, loginUrl: url, graphUrl: url, reportingUrl: url, ...extra };
}

/** Writes (or rewrites) the tenants file as YAML; returns its path. */
export function writeTenantsFile(entries: Array<Record<string, unknown>>, path = join(mkdtempSync(join(tmpdir(), 'o365-tenants-')), 'tenants.yaml')): string {
  writeFileSync(path, stringify({ tenants: entries }));
  return path;
}

/** The secrets of the tenants, as the workers' environment holds them. */
export function secretsEnv(tenants: readonly EmulatedTenant[]): Record<string, string> {
  return Object.fromEntries(tenants.map((tenant) => [tenant.secretEnv, tenant.secret]));
}

/**
 * Runs the real `o365-trace` CLI in a directory without a .env, asynchronously (an in-process worker
 * must keep running meanwhile), with exactly the given environment.
 */
export function o365Trace(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'o365-cli-'));
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'client/cli.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
