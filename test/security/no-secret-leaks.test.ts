import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { reapOnExit } from '../helpers/child-reaper.js';
import { randomBytes } from 'node:crypto';
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
type SecretKey = 'clientSecret' | 'client_secret' | 'payloadKey' | 'httpToken' | 'codecServerToken' | 'password' | 'key' | 'certPath' | 'keyPath';
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

describe('no secret or personal data in logs, errors, history or status', () => {
  it('a collector run with injected failures leaks none of its secrets, tokens, addresses or subjects', async (t) => {
    assert.equal(inputCarriesNoSecret, true);
    const env = await temporalTestEnv();
    const clientSecret = `leak-test-client-secret-${randomBytes(6).toString('hex')}`;
    const codecToken = `leak-test-codec-token-${randomBytes(6).toString('hex')}`;
    const payloadKey = randomBytes(32);
    const now = Date.now();
    const emulator = await startMicrosoftEmulator({ clientId: 'leak-client', clientSecret, dataset: settledDataset({ records: 1000, startMs: now - 45 * MIN, endMs: now, seed: 29 }) });
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
      O365_CLIENT_SECRET: clientSecret,
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
    t.diagnostic(`${Object.keys(needles).length} needles in ${Object.values(haystacks).reduce((n, h) => n + h.length, 0)} bytes; ${failures.length} failures; ${accessTokens.length} tokens`);
  });
});
