/**
 * `npm run bench [-- --records N --page-size P --batch-size B --repeat N]`: what Temporal's durability costs.
 *
 * One emulator (quota off, N settled records over three hours) and one local Devo receiver over mutual
 * TLS, each in a process of its own (bench/service-process.ts), serve runs of the same pull and send code:
 *   (b) bare: the activity functions called in a plain loop, page after page, in a process of their own;
 *       run before and after (a), and taken as the mean of the two, since the machine's speed drifts;
 *   (a) collector: an `o365-trace worker` process on a local Temporal dev server, running the collector
 *       workflow, which backfills the whole range (pipelined: page N+1 is pulled while page N is sent).
 * Each run is checked against the emulator's ground truth. The worker's own Temporal SDK metrics show where
 * a round waits (bench/sdk-latencies.ts). Prints a table, then one JSON line with the
 * figures (also written to test-output/bench.json) so runs can be compared over time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';
import { createDataConverter } from '../codec/data-converter.js';
import { PROJECT_ROOT } from '../dev-server/locate-cli.js';
import { freePort, startDevServer } from '../dev-server/start-dev-server.js';
import { loadOrCreateCertificateSet } from '../devo/certificates.js';
import { generateDataset } from '../emulator/microsoft-365/index.js';
import { recordKey, type TraceRecord } from '../microsoft/records.js';
import { alignDown, filterBounds, iso } from '../time-windows/index.js';
import type { messageTraceCollector } from '../workflows/index.js';
import { backfillUpdate, statusQuery } from '../workflows/messages.js';
import { cpuSeconds, peakRssMB } from './process-usage.js';
import { summarizeRuns } from './repeated-runs.js';
import { describeLatencies, sdkLatencies } from './sdk-latencies.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    'page-size': { type: 'string', default: '1000' },
    'batch-size': { type: 'string', default: '1000' },
    /** Worker processes on the task queue (scale-out on one machine); peak RSS is the largest one's. */
    workers: { type: 'string', default: '1' },
    /** Writes each run's history as <path>-<run>.json, to study where the time goes. */
    'history-out': { type: 'string' },
    /** Node options for the worker process(es), e.g. a V8 heap cap; default: the image's NODE_OPTIONS (Dockerfile) */
    'worker-node-options': { type: 'string' },
    /** glibc malloc arenas of the worker process(es) ('' for glibc's default); default: the image's MALLOC_ARENA_MAX */
    'malloc-arena-max': { type: 'string' },
    /** Writes V8 CPU profiles of the bare loop and the worker(s) to this directory (open in Chrome DevTools). */
    profile: { type: 'string' },
    /** Runs the whole comparison N times in a row and sums them up by the run with the median a/b. */
    repeat: { type: 'string', default: '1' },
  },
});
const RECORDS = Number(args.records);
const PAGE_SIZE = Number(args['page-size']);
const BATCH_SIZE = Number(args['batch-size']);
const WORKERS = Number(args.workers);
const REPEAT = Number(args.repeat);
const MIN = 60_000;
const TAG = 'cloud.office365.messagetracing';
/** One tag per bare run, so the receiver accounts each run on its own. */
const BARE_TAGS = [`${TAG}.bare`, `${TAG}.bareafter`] as const;
const CLIENT = { id: 'bench-client', secret: `bench-secret-${randomUUID()}` };

/** The worker runs with the Node options and malloc arenas the image gives it, unless told otherwise. */
const DOCKERFILE = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
const WORKER_NODE_OPTIONS = args['worker-node-options'] ?? /^ENV NODE_OPTIONS=(.*)$/m.exec(DOCKERFILE)?.[1] ?? '';
const WORKER_MALLOC_ARENA_MAX = args['malloc-arena-max'] ?? /^ENV MALLOC_ARENA_MAX=(.*)$/m.exec(DOCKERFILE)?.[1] ?? '';
const PROFILE_OPTIONS = args.profile ? ['--cpu-prof', '--cpu-prof-dir', args.profile] : [];
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function tsxChild(script: string, args: string[], env: NodeJS.ProcessEnv, stdin = false, nodeOptions: string[] = []): { child: ChildProcess; output: () => string } {
  return nodeChild(script, args, env, ['--import', import.meta.resolve('tsx'), ...nodeOptions], stdin);
}

function nodeChild(script: string, args: string[], env: NodeJS.ProcessEnv, nodeOptions: string[] = [], stdin = false): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [...nodeOptions, join(PROJECT_ROOT, script), ...args], { env, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  return { child, output: () => output };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A stand-in service in its own process, with a line protocol on stdin/stdout. */
async function startService(service: Record<string, unknown>): Promise<{ child: ChildProcess; ask: (command: string, answer: RegExp) => Promise<RegExpExecArray>; first: RegExpExecArray }> {
  const { child, output } = tsxChild('bench/service-process.ts', [JSON.stringify(service)], { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, true);
  let unread = '';
  child.stdout!.on('data', (chunk: Buffer) => (unread += chunk.toString()));
  const next = (answer: RegExp) =>
    waitFor(`${String(service.kind)} to answer ${answer}`, () => {
      if (child.exitCode !== null) throw new Error(`${String(service.kind)} exited: ${output()}`);
      const match = answer.exec(unread);
      if (match) unread = unread.slice(match.index + match[0].length);
      return match ?? undefined;
    }, 10 * MIN);
  const first = await next(/^(?:url|port) (\S+)$/m);
  return { child, first, ask: (command, answer) => (child.stdin!.write(`${command}\n`), next(answer)) };
}

/** Missing and repeated records of one tag against the ground truth, by (id, recipient). */
async function account(receiver: Awaited<ReturnType<typeof startService>>, tag: string, truth: Set<string>, file: string): Promise<{ missing: number; duplicates: number }> {
  await receiver.ask(`keys ${tag} ${file}`, /^keys written$/m);
  const seen = new Map<string, number>();
  for (const key of readFileSync(file, 'utf8').split('\n')) if (key) seen.set(key, (seen.get(key) ?? 0) + 1);
  let missing = 0;
  for (const key of truth) if (!seen.has(key)) missing++;
  const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
  return { missing, duplicates };
}

/** Every payload in a history (after the codec: what the server stores), found by shape. */
function payloadSizes(node: unknown, sizes: number[] = []): number[] {
  if (node === null || typeof node !== 'object') return sizes;
  if (node instanceof Uint8Array) return sizes;
  const record = node as Record<string, unknown>;
  if (record.data instanceof Uint8Array && 'metadata' in record) sizes.push(record.data.length);
  else for (const value of Object.values(record)) payloadSizes(value, sizes);
  return sizes;
}

/** The mean CPU seconds per process over several runs (undefined where a run could not read it). */
function meanCpu<K extends string>(runs: Record<K, number | undefined>[]): Record<K, number | undefined> {
  const mean = {} as Record<K, number | undefined>;
  for (const key of Object.keys(runs[0]!) as K[]) {
    const values = runs.map((run) => run[key]).filter((v) => v !== undefined);
    mean[key] = values.length < runs.length ? undefined : Number((values.reduce((sum, v) => sum + v, 0) / values.length).toFixed(2));
  }
  return mean;
}

/** CPU seconds each process spent between two readings (undefined where it could not be read). */
function cpuSpent<K extends string>(before: Record<K, number | undefined>, after: Record<K, number | undefined>): Record<K, number | undefined> {
  const spent = {} as Record<K, number | undefined>;
  for (const key of Object.keys(after) as K[]) {
    const [b, a] = [before[key], after[key]];
    spent[key] = a === undefined || b === undefined ? undefined : Number((a - b).toFixed(2));
  }
  return spent;
}

const describeCpu = (cpu: Record<string, number | undefined>) =>
  Object.entries(cpu)
    .map(([name, seconds]) => `${name} ${seconds?.toFixed(1) ?? '?'}`)
    .join(', ');

async function main() {
  const now = Date.now();
  const toMs = alignDown(now - 30 * MIN, 5 * MIN);
  const fromMs = toMs - 180 * MIN;
  progress(`generating ${RECORDS} records over ${iso(fromMs)}..${iso(toMs)}`);
  const dataset = { seed: 7, records: RECORDS, startMs: fromMs, endMs: toMs, visibility: { kind: 'immediate' }, statusSettleMs: 0 } as const;
  // The same seeded rows the emulator process generates: the ground truth.
  const bounds = filterBounds({ startMs: fromMs, endMs: toMs });
  const truth = new Set(generateDataset(dataset).rowsIn(bounds.from, bounds.to).map((row) => recordKey(row as unknown as TraceRecord)));
  const work = mkdtempSync(join(tmpdir(), 'o365-bench-'));
  const certsDir = join(work, 'certs');
  const emulator = await startService({ kind: 'emulator', clientId: CLIENT.id, clientSecret: CLIENT.secret, dataset });
  const receiver = await startService({ kind: 'receiver', certsDir });
  const { paths } = await loadOrCreateCertificateSet(certsDir);
  const emulatorUrl = emulator.first[1]!;
  const server = await startDevServer();
  /** Worker processes, killed on the way out even when the run fails. */
  const workerChildren: ChildProcess[] = [];
  const payloadKey = randomBytes(32);
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const tenantId = `bench-${randomUUID().slice(0, 8)}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    O365_TENANT_ID: tenantId,
    O365_CLIENT_ID: CLIENT.id,
    O365_CLIENT_SECRET: CLIENT.secret,
    O365_LOGIN_URL: emulatorUrl,
    O365_GRAPH_URL: emulatorUrl,
    O365_REPORTING_URL: emulatorUrl,
    O365_ALLOW_ANY_ENDPOINT: 'true',
    O365_PAGE_SIZE: String(PAGE_SIZE),
    DEVO_ADDRESS: '127.0.0.1',
    DEVO_PORT: receiver.first[1],
    DEVO_CERT: paths.clientCert,
    DEVO_KEY: paths.clientKey,
    DEVO_CHAIN: paths.caCert,
    DEVO_BATCH_SIZE: String(BATCH_SIZE),
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    PAYLOAD_KEY: payloadKey.toString('base64'),
    O365_DATA_DIR: join(work, 'data'),
    LOG_LEVEL: 'warn',
    TEMPORAL_LOG_LEVEL: 'WARN',
    ...(WORKER_MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: WORKER_MALLOC_ARENA_MAX } : {}),
  };

  try {
    // (b) the bare loop, run before and after (a): the machine's speed drifts within a run, and the mean
    // of the two keeps that drift from landing on one side of the ratio.
    const servicesCpu = () => ({ emulator: cpuSeconds(emulator.child.pid), receiver: cpuSeconds(receiver.child.pid) });
    const runBare = async (tag: string, nodeOptions: string[]) => {
      progress(`bare loop: pull and send, no Temporal (${tag})`);
      const servicesBefore = servicesCpu();
      const bare = tsxChild('bench/bare-loop.ts', [String(fromMs), String(toMs)], { ...env, DEVO_TAG: tag }, false, nodeOptions);
      const [code] = (await once(bare.child, 'exit')) as [number];
      if (code !== 0) throw new Error(`bare loop failed (${code}): ${bare.output()}`);
      const run = JSON.parse(bare.output().trim().split('\n').pop()!) as { records: number; pages: number; seconds: number; cpuSeconds: number; peakRssMB?: number };
      const cpu = { loop: run.cpuSeconds, ...cpuSpent(servicesBefore, servicesCpu()) };
      return { ...run, cpu, account: await account(receiver, tag, truth, join(work, `${tag}-keys`)) };
    };
    const bareBefore = await runBare(BARE_TAGS[0], PROFILE_OPTIONS);

    // (a) the collector on the dev server, one worker process
    progress('collector: starting a worker process');
    // The worker as the image runs it: compiled JavaScript and a workflow bundle built ahead of time.
    progress('collector: compiling (npm run build) and bundling the workflow code');
    for (const script of [['build'], ['build:workflow', '--', join(work, 'workflow-bundle.js')]]) {
      const build = spawn('npm', ['run', '--silent', ...script], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
      if ((await once(build, 'exit'))[0] !== 0) throw new Error(`npm run ${script[0]} failed`);
    }
    // Each worker serves the SDK's metrics, read at the end for where a round waits.
    const metricsAddresses = await Promise.all(Array.from({ length: WORKERS }, async () => `127.0.0.1:${await freePort()}`));
    const workers = metricsAddresses.map((address) =>
      nodeChild('dist/client/cli.js', ['worker'], { ...env, O365_WORKFLOW_BUNDLE: join(work, 'workflow-bundle.js'), O365_METRICS_ADDRESS: address }, [...WORKER_NODE_OPTIONS.split(' ').filter(Boolean), ...PROFILE_OPTIONS]),
    );
    workerChildren.push(...workers.map((w) => w.child));
    const workerPeakRss = () => Math.max(...workers.map((w) => peakRssMB(w.child.pid!) ?? 0));
    // A history page of pages of records can pass gRPC's default 4 MB message limit.
    const connection = await Connection.connect({ address: server.address, channelArgs: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 } });
    const client = new Client({ connection, dataConverter: createDataConverter(payloadKey) });
    await waitFor('the worker to poll', async () => {
      const exited = workers.find((w) => w.child.exitCode !== null);
      if (exited) throw new Error(`worker exited: ${exited.output()}`);
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      return pollers.length >= WORKERS ? true : undefined;
    }, 120_000);
    // what the worker holds once started, before any record
    const startupPeakRss = workerPeakRss();
    const collectorProcessesCpu = () => ({
      worker: workers.reduce((sum, w) => sum + (cpuSeconds(w.child.pid) ?? 0), 0),
      server: cpuSeconds(server.pid),
      ...servicesCpu(),
      /** this process: starting the run, polling the receiver's count */
      bench: cpuSeconds(process.pid),
    });
    const collectorCpuBefore = collectorProcessesCpu();
    const delivered = async () => Number((await receiver.ask(`count ${TAG}`, /^count (\d+)$/m))[1]);
    progress('collector: backfilling the range');
    const started = performance.now();
    // Live windows start after the range and are not due during the run: the run is the backfill alone.
    const handle = await client.workflow.start<typeof messageTraceCollector>('messageTraceCollector', {
      workflowId: `o365-message-trace/${tenantId}`,
      taskQueue,
      args: [
        {
          settings: { tenantId, source: 'graph', windowMs: 5 * MIN, lagMs: 15 * MIN, pageSize: PAGE_SIZE, budget: { requests: 1_000_000, windowMs: 300_000, liveReserve: 10 } },
          start: iso(alignDown(now - 10 * MIN, 5 * MIN)),
        },
      ],
    });
    await handle.executeUpdate(backfillUpdate, { args: [{ from: iso(fromMs), to: iso(toMs) }] });
    let peakRss = 0;
    await waitFor('every record at the receiver', async () => {
      peakRss = Math.max(peakRss, workerPeakRss());
      return (await delivered()) >= truth.size ? true : undefined;
    }, 60 * MIN);
    const collectorSeconds = (performance.now() - started) / 1000;
    const collectorCpu = cpuSpent(collectorCpuBefore, collectorProcessesCpu());
    const status = await waitFor('the backfill to finish', async () => {
      const s = await handle.query(statusQuery);
      return s.backfill?.pending.length === 0 && !s.backfill.currentChunk ? s : undefined;
    }, 5 * MIN);
    peakRss = Math.max(peakRss, workerPeakRss());
    // Quota is off and no fault is injected, so every booked call is one request Microsoft answered.
    const collectorCalls = status.totals.apiCalls;
    const collectorAccount = await account(receiver, TAG, truth, join(work, 'collector-keys'));

    // the history of every run of the collector, as stored (after the codec)
    let historyBytes = 0;
    let maxPayloadBytes = 0;
    let runs = 0;
    if (args['history-out']) mkdirSync(dirname(args['history-out']), { recursive: true });
    for (let runId: string | undefined = handle.firstExecutionRunId; runId; runs++) {
      const history = await client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      if (args['history-out']) writeFileSync(`${args['history-out']}-${runs}.json`, historyToJSON(history));
      historyBytes += proto.temporal.api.history.v1.History.encode(history).finish().length;
      maxPayloadBytes = Math.max(maxPayloadBytes, ...payloadSizes(history));
      const last = history.events?.at(-1);
      runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    const latencies = await sdkLatencies(metricsAddresses);
    await handle.terminate('bench done');
    await Promise.all(workers.map((w) => (w.child.kill('SIGTERM'), once(w.child, 'exit'))));
    await connection.close();
    const bareAfter = await runBare(BARE_TAGS[1], []);
    const bareRuns = [bareBefore, bareAfter];
    const bareResult = {
      records: bareBefore.records,
      seconds: (bareBefore.seconds + bareAfter.seconds) / 2,
      peakRssMB: Math.max(...bareRuns.map((r) => r.peakRssMB ?? 0)) || undefined,
    };
    const bareCpu = meanCpu(bareRuns.map((r) => r.cpu));
    const bareCalls = bareBefore.pages;
    const bareAccount = { missing: bareBefore.account.missing + bareAfter.account.missing, duplicates: bareBefore.account.duplicates + bareAfter.account.duplicates };

    const records = truth.size;
    const collectorRecordsPerSec = Math.round(records / collectorSeconds);
    const bareRecordsPerSec = Math.round(bareResult.records / bareResult.seconds);
    const result = {
      records,
      pageSize: PAGE_SIZE,
      batchSize: BATCH_SIZE,
      collectorRecordsPerSec,
      bareRecordsPerSec,
      bareRecordsPerSecBefore: Math.round(bareBefore.records / bareBefore.seconds),
      bareRecordsPerSecAfter: Math.round(bareAfter.records / bareAfter.seconds),
      ratio: Number((collectorRecordsPerSec / bareRecordsPerSec).toFixed(2)),
      apiCallsPer1000: Number(((collectorCalls / records) * 1000).toFixed(3)),
      bareApiCallsPer1000: Number(((bareCalls / records) * 1000).toFixed(3)),
      windows: 1,
      pages: status.totals.pages,
      maxPayloadBytes,
      historyBytesPer1000: Math.round((historyBytes / records) * 1000),
      runs,
      peakRssMB: peakRss,
      startupPeakRssMB: startupPeakRss,
      workerNodeOptions: WORKER_NODE_OPTIONS,
      workerMallocArenaMax: WORKER_MALLOC_ARENA_MAX,
      barePeakRssMB: bareResult.peakRssMB,
      collectorCpuSeconds: collectorCpu,
      sdkLatencies: latencies,
      bareCpuSeconds: bareCpu,
      missing: collectorAccount.missing,
      duplicates: collectorAccount.duplicates,
      bareMissing: bareAccount.missing,
      bareDuplicates: bareAccount.duplicates,
    };
    console.log(
      [
        `| run | records | seconds | records/s | API calls / 1,000 | peak RSS | missing | duplicates |`,
        `|---|---|---|---|---|---|---|---|`,
        `| (a) collector on Temporal | ${records} | ${collectorSeconds.toFixed(1)} | ${collectorRecordsPerSec} | ${result.apiCallsPer1000} | ${peakRss} MB | ${collectorAccount.missing} | ${collectorAccount.duplicates} |`,
        ...bareRuns.map((run, i) => `| (b) bare loop, ${i === 0 ? 'before' : 'after'} (a) | ${run.records} | ${run.seconds.toFixed(1)} | ${Math.round(run.records / run.seconds)} | ${result.bareApiCallsPer1000} | ${run.peakRssMB ?? '?'} MB | ${run.account.missing} | ${run.account.duplicates} |`),
        `| (b) mean of the two | ${bareResult.records} | ${bareResult.seconds.toFixed(1)} | ${bareRecordsPerSec} | | | | |`,
        '',
        `worker peak RSS ${startupPeakRss} MB after start (compiled, prebuilt workflow bundle, node ${WORKER_NODE_OPTIONS || 'defaults'}, MALLOC_ARENA_MAX ${WORKER_MALLOC_ARENA_MAX || 'unset'}), ${peakRss} MB over the run`,
        `Temporal SDK metrics, mean: ${describeLatencies(latencies)}`,
        `CPU seconds: collector ${describeCpu(collectorCpu)}; bare (mean of two runs) ${describeCpu(bareCpu)}`,
        `a/b = ${result.ratio}; largest payload after the codec ${maxPayloadBytes} bytes; history ${result.historyBytesPer1000} bytes per 1,000 records over ${runs} run(s); ${status.totals.pages} pages of ${PAGE_SIZE}, batches of ${BATCH_SIZE}`,
      ].join('\n'),
    );
    if (collectorAccount.missing + bareAccount.missing > 0) process.exitCode = 1;
    return result;
  } finally {
    for (const child of workerChildren) if (child.exitCode === null) child.kill();
    await server.stop();
    receiver.child.kill();
    emulator.child.kill();
  }
}

/** The figures, as the last line printed and in test-output/bench.json, so runs can be compared over time. */
function report(result: object): void {
  mkdirSync(join(PROJECT_ROOT, 'test-output'), { recursive: true });
  writeFileSync(join(PROJECT_ROOT, 'test-output', 'bench.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result));
}

if (!(Number.isInteger(REPEAT) && REPEAT >= 1)) throw new Error(`--repeat must be a whole number >= 1, not ${args.repeat}`);
const results = [];
for (let run = 1; run <= REPEAT; run++) {
  if (REPEAT > 1) progress(`run ${run} of ${REPEAT}`);
  const result = await main();
  results.push(result);
  if (REPEAT > 1) console.log(JSON.stringify(result));
}
if (REPEAT === 1) report(results[0]!);
else {
  const summary = summarizeRuns(results);
  const { ratios, collectorRecordsPerSec, bareRecordsPerSec } = summary.repeat;
  console.log(`\n${REPEAT} runs: a/b ${ratios.join(', ')} (median ${summary.ratio}); (a) ${collectorRecordsPerSec.join(', ')} records/s; (b) ${bareRecordsPerSec.join(', ')} records/s. Figures below: the median run's.`);
  report(summary);
}
