import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { reapOnExit } from '../helpers/child-reaper.js';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { FEDERATION_AUDIENCE } from '../../emulator/microsoft-365/client-assertions.js';
import type { MicrosoftEmulatorOptions } from '../../emulator/microsoft-365/index.js';
import { appCertificate } from '../helpers/certificates.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { codecKey, EncryptionCodec } from '../../codec/codec.js';
import { createDataConverter } from '../../codec/data-converter.js';
import { generateCertificateSet, writeCertificateSet } from '../../devo/certificates.js';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { startDevoReceiver } from '../../emulator/devo-receiver/index.js';
import { startMicrosoftEmulator } from '../../emulator/microsoft-365/index.js';
import type { CollectorInput } from '../../workflows/state.js';
import { statusQuery } from '../../workflows/messages.js';
import { graphTruth, settledDataset } from '../helpers/ground-truth.js';
import { temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitUntil } from '../helpers/wait-until.js';
import { clearPayloadText, decodedPayloadText, failureMessages, findLeaks, rawHistoryBytes, type Haystacks } from './leaks.js';

const MIN = 60_000;

/** Names that would mean a long-lived secret rides in workflow input (an access token is short-lived and encrypted). */
type SecretKey = 'clientSecret' | 'client_secret' | 'payloadKey' | 'httpToken' | 'codecServerToken' | 'password' | 'key' | 'certPath' | 'keyPath' | 'privateKey' | 'clientAssertion' | 'client_assertion' | 'tokenFile';
type DeepKeys<T> = T extends readonly (infer E)[] ? DeepKeys<E> : T extends object ? { [K in keyof T]-?: K | DeepKeys<T[K]> }[keyof T] : never;
// Compile-time: the day someone adds a secret to CollectorInput (or anything inside it), tsc fails here.
const inputCarriesNoSecret: [Extract<DeepKeys<CollectorInput>, SecretKey>] extends [never] ? true : false = true;

/** Runs the real CLI with `env`, resolving with everything it printed. */
function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'client/cli.ts'), ...args], { env, cwd: mkdtempSync(join(tmpdir(), 'o365-leak-cwd-')) });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}

/**
 * The app credential a leak run uses: its environment, what the emulator must trust, and the secrets it
 * brings (the certificate's private key and password, or the federated token).
 */
interface CredentialVariant {
  readonly env: Record<string, string>;
  readonly emulator: Partial<MicrosoftEmulatorOptions>;
  readonly secrets: Record<string, string>;
}

async function certificateVariant(dir: string): Promise<CredentialVariant> {
  const password = `leak-test-key-password-${randomBytes(6).toString('hex')}`;
  const app = await appCertificate({ password });
  writeFileSync(join(dir, 'app.pem'), app.pem, { mode: 0o600 });
  const keyLines = app.keyPem.split('\n').filter((l) => l.length === 64);
  const encryptedLines = app.pem.split('-----BEGIN ENCRYPTED PRIVATE KEY-----')[1]!.split('\n').filter((l) => l.length === 64);
  return {
    env: { O365_CLIENT_CERTIFICATE_FILE: join(dir, 'app.pem'), O365_CLIENT_CERTIFICATE_PASSWORD: password },
    emulator: { clientCertificates: [app.certificatePem] },
    secrets: {
      'certificate key password': password,
      ...Object.fromEntries(keyLines.slice(1, 4).map((line, i) => [`certificate private key line ${i + 2}`, line])),
      ...Object.fromEntries(encryptedLines.slice(1, 3).map((line, i) => [`encrypted certificate key line ${i + 2}`, line])),
    },
  };
}

async function federatedVariant(dir: string): Promise<CredentialVariant> {
  const issuer = 'https://kubernetes.default.svc.cluster.local';
  const subject = 'system:serviceaccount:o365:leak-test';
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const token = await new SignJWT({ leak: randomBytes(6).toString('hex') }).setProtectedHeader({ alg: 'RS256' }).setIssuer(issuer).setSubject(subject).setAudience(FEDERATION_AUDIENCE).setIssuedAt().setExpirationTime('1h').sign(keys.privateKey);
  writeFileSync(join(dir, 'federated-token'), token, { mode: 0o600 });
  return {
    env: { O365_FEDERATED_TOKEN_FILE: join(dir, 'federated-token') },
    emulator: { federatedCredentials: [{ issuer, subject, publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() }] },
    secrets: { 'federated token': token, 'federated token signature': token.split('.')[2]!, 'federated token claims': token.split('.')[1]! },
  };
}

const LEAK_RUNS = [
  ['secret', 'a collector run with injected failures leaks none of its secrets, tokens, addresses or subjects'],
  ['certificate', 'a run authenticated by certificate leaks neither its private key nor its password'],
  ['federated', 'a run authenticated by a federated token file never leaks the token'],
] as const;

describe('no secret or personal data in logs, errors, history or status', () => {
  for (const [kind, title] of LEAK_RUNS) it(title, async (t) => {
    assert.equal(inputCarriesNoSecret, true);
    const env = await temporalTestEnv();
    const clientSecret = `leak-test-client-secret-${randomBytes(6).toString('hex')}`;
    const codecToken = `leak-test-codec-token-${randomBytes(6).toString('hex')}`;
    const payloadKey = randomBytes(32);
    const now = Date.now();
    const variantDir = mkdtempSync(join(tmpdir(), 'o365-leak-credential-'));
    const variant: CredentialVariant =
      kind === 'certificate' ? await certificateVariant(variantDir) : kind === 'federated' ? await federatedVariant(variantDir) : { env: { O365_CLIENT_SECRET: clientSecret }, emulator: {}, secrets: {} };
    const emulator = await startMicrosoftEmulator({ clientId: 'leak-client', clientSecret, dataset: settledDataset({ records: 1000, startMs: now - 45 * MIN, endMs: now, seed: 29 }), ...variant.emulator });
    emulator.faults.add([
      { target: 'token', kind: 'server-error', count: 1 },
      { target: 'graph', kind: 'unauthorized' },
      { target: 'graph', kind: 'throttle', retryAfterSeconds: 1 },
      { target: 'graph', kind: 'html-sign-in' },
      { target: 'graph', kind: 'malformed-json' },
      { target: 'graph', kind: 'server-error' },
    ]);
    const certs = await generateCertificateSet();
    const dir = mkdtempSync(join(tmpdir(), 'o365-leak-'));
    const paths = await writeCertificateSet(certs, dir);
    writeFileSync(join(dir, 'payload.key'), payloadKey.toString('base64'), { mode: 0o600 });
    const receiver = await startDevoReceiver({ tls: { port: 0, certs } });
    const tenantId = `leak-${randomBytes(4).toString('hex')}`;
    const taskQueue = uniqueTaskQueue(t.name);
    const runEnv = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      O365_TENANT_ID: tenantId,
      O365_CLIENT_ID: 'leak-client',
      ...variant.env,
      O365_LOGIN_URL: emulator.url,
      O365_GRAPH_URL: emulator.url,
      O365_REPORTING_URL: emulator.url,
      O365_ALLOW_ANY_ENDPOINT: 'true',
      O365_START: '40m',
      O365_PAGE_SIZE: '100',
      DEVO_ADDRESS: '127.0.0.1',
      DEVO_PORT: String(receiver.tlsPort),
      DEVO_CERT: paths.clientCert,
      DEVO_KEY: paths.clientKey,
      DEVO_CHAIN: paths.caCert,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PAYLOAD_KEY_FILE: join(dir, 'payload.key'),
      CODEC_SERVER_TOKEN: codecToken,
      O365_DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      TEMPORAL_LOG_LEVEL: 'INFO',
    };
    let workerLog = '';
    const worker: ChildProcess = reapOnExit(spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'client/cli.ts'), 'worker'], { env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
    worker.stdout?.on('data', (d: Buffer) => (workerLog += d.toString()));
    worker.stderr?.on('data', (d: Buffer) => (workerLog += d.toString()));
    const connection = await Connection.connect({ address: env.address });
    t.after(async () => {
      worker.kill('SIGKILL');
      await connection.close();
      await receiver.close();
      await emulator.close();
    });

    const started = await cli(['start'], runEnv);
    assert.equal(started.status, 0, started.output);
    const client = new Client({ connection, dataConverter: createDataConverter(payloadKey) });
    const handle = client.workflow.getHandle(`o365-message-trace/${tenantId}`);
    const codec = new EncryptionCodec([codecKey(payloadKey)]);
    // Retried failures never reach history; their messages show on the pending activity (and in status) meanwhile.
    // Both sit in the server encrypted: `clearFailures` is what the server holds, `failures` what the key holder reads.
    const retriedFailures = new Set<string>();
    const clearFailures: string[] = [];
    const caughtUp = await waitUntil(async () => {
      for (const a of (await handle.describe()).raw.pendingActivities ?? []) {
        if (a.lastFailure) retriedFailures.add(await failureMessages(a.lastFailure, codec));
        if (a.lastFailure) clearFailures.push(`${a.lastFailure.message ?? ''} <- ${a.lastFailure.cause?.message ?? ''}`);
      }
      const s = await handle.query(statusQuery);
      return s.caughtUp ? s : undefined;
    }, { timeoutMs: 300_000, intervalMs: 200, what: `caught up; worker log tail: ${workerLog.slice(-2000)}` });
    const status = await cli(['status'], runEnv);
    const statusJson = await cli(['status', '--json'], runEnv);
    assert.equal(statusJson.status, 0, statusJson.output);
    await handle.terminate('leak test done');
    worker.kill('SIGTERM');
    await new Promise((resolve) => (worker.exitCode === null ? worker.once('exit', resolve) : resolve(undefined)));

    const history = await handle.fetchHistory();
    const raw = rawHistoryBytes(history);
    const failed = (history.events ?? []).flatMap((e) => (e.activityTaskFailedEventAttributes?.failure ? [e.activityTaskFailedEventAttributes.failure] : []));
    const failures = await Promise.all(failed.map((failure) => failureMessages(failure, codec)));
    failures.push(...retriedFailures);
    clearFailures.push(...failed.map((failure) => `${failure.message ?? ''} <- ${failure.cause?.message ?? ''}`));
    assert.ok(clearFailures.every((text) => /^Encoded failure( <- Encoded failure)*( <- )?$/.test(text)), `failure messages are encrypted on the server: ${clearFailures.join('; ')}`);
    assert.equal(emulator.faults.pending().length, 0, 'every injected failure happened');
    assert.ok(failures.some((f) => /401/.test(f)), `the refused token is in history: ${failures.join('; ')}`);
    assert.ok(failures.length >= 3, `failure messages captured: ${failures.join('; ')}`);
    for (const type of ['MicrosoftUnavailable', 'TokenRejected', 'UnexpectedHtml', 'MalformedResponse']) assert.ok(workerLog.includes(`"type":"${type}"`), `${type} in the worker log`);
    const decoded = await decodedPayloadText(history, codec);
    const startedWith = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input ?? {};
    const [input] = JSON.parse(await decodedPayloadText({ events: [{ workflowExecutionStartedEventAttributes: { input: startedWith } }] }, codec).then((text) => `[${text}]`)) as CollectorInput[];
    assert.deepEqual(Object.keys(input!).sort(), ['settings', 'start'], 'workflow input is settings and a start time, nothing else');
    const accessTokens = [...new Set([...decoded.matchAll(/"accessToken":"([^"]+)"/g)].map((m) => m[1]!))];
    assert.ok(accessTokens.length >= 2, 'the 401 made the worker fetch a second token');
    const rows = graphTruth(emulator, Date.parse(input!.start), Date.parse(caughtUp.cursor));
    assert.ok(rows.length >= 200, `${rows.length} rows collected`);
    const personal = rows.filter((_, i) => i % 3 === 0).flatMap((r) => [r.recipientAddress, r.senderAddress, r.subject].map(String)).filter((s) => s.length >= 8);
    const keyBody = certs.clientKey.split('\n').filter((l) => l.length === 64);

    const secrets: Record<string, string> = {
      'client secret': clientSecret,
      'payload key': payloadKey.toString('base64'),
      'payload key (hex)': payloadKey.toString('hex'),
      'codec server token': codecToken,
      ...Object.fromEntries(keyBody.slice(1, 4).map((line, i) => [`Devo private key line ${i + 2}`, line])),
      ...variant.secrets,
    };
    const needles: Record<string, string> = {
      ...secrets,
      ...Object.fromEntries(accessTokens.flatMap((tok, i) => [[`access token ${i + 1}`, tok], [`access token ${i + 1} signature`, tok.split('.')[2]!]])),
      ...Object.fromEntries([...new Set(personal)].map((p) => [`personal data ${JSON.stringify(p)}`, p])),
    };
    const notInHistory = personal.filter((p) => !decoded.includes(JSON.stringify(p).slice(1, -1)));
    assert.deepEqual(notInHistory, [], 'the personal data did pass through history, encrypted');
    const haystacks: Haystacks = {
      'worker log': workerLog,
      'start output': started.output,
      'status output': status.output,
      'status --json output': statusJson.output,
      'raw history': raw,
      'raw history payloads not encrypted, packed pages unpacked': clearPayloadText(history),
      'activity failure messages (decoded)': failures.join('\n'),
    };
    assert.ok(workerLog.includes('"msg":"page pulled"'), 'the worker log was captured at a level that logs pages');
    assert.deepEqual(findLeaks(haystacks, needles), []);
    // With the key, history holds tokens and records (that is its job) but still no long-lived secret.
    assert.deepEqual(findLeaks({ 'decoded history': decoded }, secrets), []);
    if (kind !== 'secret') assert.match(statusJson.output, new RegExp(`"kind": "${kind}"`), 'status names the credential');
    t.diagnostic(`${Object.keys(needles).length} needles in ${Object.values(haystacks).reduce((n, h) => n + h.length, 0)} bytes; ${failures.length} failures; ${accessTokens.length} tokens`);
  });
});
