import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../../config/schema.js';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';

/** Distinctive secrets in every run's environment: none may ever appear in the CLI's output. */
const CLIENT_SECRET = 'cfg-client-secret-Q7v9xZ';
const PAYLOAD_KEY = randomBytes(32).toString('base64');
const CODEC_TOKEN = 'cfg-codec-token-M3kP8w';
const MISSING = '/nonexistent/o365-trace-test/file.pem';

/**
 * A wrong value for each variable, and which variables of the valid base to drop so only that one is wrong.
 * Wrong values are tried a group per CLI process, one line expected per variable: `schema` values fail on
 * their own; `files` only once every value parsed (checks across settings and files); the others need a
 * process of their own (the payload key is one setting or the other; the tenants file is read last).
 */
interface WrongValue {
  readonly value: string;
  readonly unset?: readonly string[];
  readonly group?: 'files' | 'payload-key' | 'tenants' | 'certificate' | 'federated';
  /** Secret wrong values must not be echoed either. */
  readonly secret?: boolean;
}

const BLANK = { value: '   ' }; // set, but nothing in it
const WRONG: Record<string, WrongValue> = {
  O365_TENANT_ID: BLANK,
  O365_CLIENT_ID: BLANK,
  O365_CLIENT_SECRET: BLANK,
  O365_CLIENT_SECRET_FILE: { value: MISSING, unset: ['O365_CLIENT_SECRET'], group: 'files' },
  // A credential instead of the secret: each in a process of its own, as two credentials are an error of their own.
  O365_CLIENT_CERTIFICATE_FILE: { value: MISSING, unset: ['O365_CLIENT_SECRET'], group: 'certificate' },
  O365_CLIENT_CERTIFICATE_PASSWORD: { value: 'cfg-pfx-password-W2r8', secret: true },
  O365_CLIENT_CERTIFICATE_PASSWORD_FILE: { value: MISSING, group: 'certificate' },
  O365_FEDERATED_TOKEN_FILE: { value: MISSING, unset: ['O365_CLIENT_SECRET'], group: 'federated' },
  O365_SOURCE: { value: 'exchange' },
  O365_LOGIN_URL: { value: 'login.microsoftonline.com' },
  O365_GRAPH_URL: { value: 'not a url' },
  O365_REPORTING_URL: { value: 'http//reports.office365.com' },
  O365_START: { value: 'last tuesday', group: 'files' },
  O365_WINDOW: { value: '5 minutes' },
  O365_LAG: { value: '-15m' },
  O365_PAGE_SIZE: { value: '0' },
  O365_RETENTION_MARGIN: { value: '1y' },
  O365_TENANTS_FILE: { value: '/nonexistent/o365-trace-test/tenants.yaml', group: 'tenants' },
  O365_ALLOW_ANY_ENDPOINT: { value: 'yes' },
  DEVO_TRANSPORT: { value: 'udp' },
  DEVO_ADDRESS: BLANK,
  DEVO_PORT: { value: '70000' },
  DEVO_CERT: { value: MISSING, group: 'files' },
  DEVO_KEY: { value: MISSING, group: 'files' },
  DEVO_CHAIN: { value: '/', group: 'files' },
  DEVO_TAG: { value: 'my table' },
  DEVO_HOSTNAME: { value: 'two words' },
  DEVO_BATCH_SIZE: { value: '1e3' },
  DEVO_HTTP_URL: { value: 'http-us.devo.io' },
  DEVO_HTTP_TOKEN: BLANK,
  DEVO_HTTP_TOKEN_FILE: { value: MISSING, group: 'files' },
  DEVO_DOMAIN: BLANK,
  TEMPORAL_ADDRESS: BLANK,
  TEMPORAL_NAMESPACE: BLANK,
  TEMPORAL_TASK_QUEUE: BLANK,
  PAYLOAD_KEY: { value: 'dG9vLXNob3J0LWtleS12YWx1ZQ==', secret: true, group: 'payload-key' },
  PAYLOAD_KEY_FILE: { value: MISSING, unset: ['PAYLOAD_KEY'], group: 'files' },
  PAYLOAD_KEY_PREVIOUS: { value: `${randomBytes(32).toString('base64')},c2hvcnQ=`, secret: true, group: 'payload-key' },
  PAYLOAD_KEY_PREVIOUS_FILE: { value: MISSING, group: 'files' },
  CODEC_SERVER_TOKEN: BLANK,
  CODEC_SERVER_OIDC_ISSUER: { value: 'accounts.example.com' },
  CODEC_SERVER_OIDC_AUDIENCE: BLANK,
  CODEC_SERVER_TOKEN_FILE: { value: MISSING, unset: ['CODEC_SERVER_TOKEN'], group: 'files' },
  O365_DATA_DIR: BLANK,
  O365_METRICS_ADDRESS: { value: 'localhost:9464' },
  O365_WORKFLOW_BUNDLE: { value: '/nonexistent/o365-trace-test/workflow-bundle.js' },
  TEMPORAL_UI_URL: { value: 'temporal-ui:8080' },
  OTEL_EXPORTER_OTLP_ENDPOINT: { value: 'otel-collector:4318' },
  OTEL_SERVICE_NAME: BLANK,
};

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in an empty directory (no .env) with exactly `env`. */
function o365Trace(args: string[], env: Record<string, string>): Promise<Run> {
  const cwd = mkdtempSync(join(tmpdir(), 'o365-cfg-'));
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'client/cli.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    timeout: 120_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** Runs `jobs` with at most `limit` at once (each is a Node process; the machine has two cores). */
async function inPool<T>(jobs: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < jobs.length; i = next++) results[i] = await jobs[i]!();
  };
  await Promise.all(Array.from({ length: limit }, lane));
  return results;
}

describe('o365-trace worker with wrong variables', () => {
  let base: Record<string, string>;
  before(() => {
    const dir = mkdtempSync(join(tmpdir(), 'o365-cfg-pem-'));
    for (const name of ['cert.pem', 'key.pem', 'chain.pem']) writeFileSync(join(dir, name), 'not checked before the worker starts\n');
    // Valid for `worker` in every respect; TEMPORAL_ADDRESS points nowhere, so a config that passes fails with 1, not 2.
    base = {
      O365_TENANT_ID: 'contoso',
      O365_CLIENT_ID: 'client-id',
      O365_CLIENT_SECRET: CLIENT_SECRET,
      DEVO_CERT: join(dir, 'cert.pem'),
      DEVO_KEY: join(dir, 'key.pem'),
      DEVO_CHAIN: join(dir, 'chain.pem'),
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      PAYLOAD_KEY,
      CODEC_SERVER_TOKEN: CODEC_TOKEN,
    };
  });

  it('has a wrong value for every variable the configuration knows, so a new one cannot go untested', () => {
    assert.deepEqual(Object.keys(WRONG).sort(), [...CONFIG_VARIABLES].sort());
  });

  it('exits 2 with exactly one line per wrong variable, naming it, and never echoes a secret', async () => {
    const groups = new Map<string, string[]>();
    for (const name of CONFIG_VARIABLES.filter((n) => WRONG[n])) {
      const group = WRONG[name]!.group ?? 'schema';
      groups.set(group, [...(groups.get(group) ?? []), name]);
    }
    const entries = [...groups.entries()];
    const runs = await inPool(
      entries.map(([, names]) => () => {
        const env: Record<string, string> = { ...base };
        for (const name of names) {
          env[name] = WRONG[name]!.value;
          for (const other of WRONG[name]!.unset ?? []) delete env[other];
        }
        return o365Trace(['worker'], env);
      }),
      3,
    );
    const problems: string[] = [];
    entries.forEach(([group, names], i) => {
      const { status, stdout, stderr } = runs[i]!;
      const [title, ...lines] = stderr.trim().split('\n');
      const named = lines.map((line) => /^ {2}([A-Z0-9_]+): \S/.exec(line)?.[1] ?? `unexpected line ${JSON.stringify(line)}`);
      if (status !== 2 || title !== 'o365-trace: invalid configuration') problems.push(`${group}: exit ${status}, stderr ${JSON.stringify(stderr.trim())}`);
      else assert.deepEqual(named.sort(), [...names].sort(), `${group}: one line per variable\n${stderr}`);
      const output = stdout + stderr;
      for (const secret of [CLIENT_SECRET, PAYLOAD_KEY, CODEC_TOKEN, ...names.flatMap((n) => (WRONG[n]!.secret ? [WRONG[n]!.value] : []))]) {
        if (output.includes(secret)) problems.push(`${group}: the output holds a secret`);
      }
    });
    assert.deepEqual(problems, []);
  });

  it('the valid base itself passes the configuration (and then fails to reach Temporal with 1)', async () => {
    const run = await o365Trace(['worker'], base);
    assert.equal(run.status, 1, run.stderr);
    assert.ok(!run.stderr.includes('invalid configuration'), run.stderr);
  });
});
