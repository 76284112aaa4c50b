import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { loadClientConfigProfile } from '@temporalio/envconfig';
import { parseDocument } from 'yaml';
import { ConfigError, loadConfig, type ConfigPurpose } from '../../config/schema.js';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { SEARCH_ATTRIBUTE_FLAGS } from '../../workflows/search-attributes.js';
import { goMissing, loadCompose, type ComposeProject, type ComposeService } from './compose-check.js';

const COMPOSE_FILE = join(PROJECT_ROOT, 'docker-compose.yml');
const PACKAGE = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
const COLLECTOR_IMAGE = `o365-message-trace-collector:${PACKAGE.version}`;

/** A production .env: every setting the compose file passes through, none at its default. */
const PRODUCTION_ENV = {
  O365_TENANT_ID: '00000000-0000-0000-0000-000000000001',
  O365_CLIENT_ID: '11111111-1111-1111-1111-111111111111',
  O365_SOURCE: 'reporting',
  O365_LOGIN_URL: 'https://login.microsoftonline.us',
  O365_GRAPH_URL: 'https://graph.microsoft.us',
  O365_REPORTING_URL: 'https://reports.office365.us',
  O365_START: '2d',
  O365_WINDOW: '10m',
  O365_LAG: '30m',
  O365_PAGE_SIZE: '500',
  O365_RETENTION_MARGIN: '2h',
  DEVO_ADDRESS: 'collector-eu.devo.io',
  DEVO_PORT: '8443',
  DEVO_TAG: 'cloud.office365.messagetracing.eu',
  DEVO_HOSTNAME: 'collector-1',
  DEVO_BATCH_SIZE: '500',
  TEMPORAL_NAMESPACE: 'collectors',
  TEMPORAL_TASK_QUEUE: 'o365-eu',
};

/** Which configuration each collector subcommand loads (client/commands/*). */
const PURPOSE: Record<string, ConfigPurpose> = { worker: 'worker', start: 'client', 'codec-server': 'codec' };

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'o365-compose-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function envFile(dir: string, vars: Record<string, string>): string {
  const path = join(dir, `${Object.keys(vars).length}.env`);
  writeFileSync(path, Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(''));
  return path;
}

/** Loads a copy of the compose file changed by `edit` (a yaml Document), beside the original's folders. */
async function loadEdited(t: TestContext, edit: (doc: ReturnType<typeof parseDocument>) => void, profiles: string[] = []) {
  const doc = parseDocument(readFileSync(COMPOSE_FILE, 'utf8'));
  edit(doc);
  const dir = tempDir(t);
  const file = join(dir, 'docker-compose.yml');
  writeFileSync(file, doc.toString());
  return loadCompose(file, { profiles, envFile: envFile(dir, PRODUCTION_ENV) });
}

function ensureLoaded(result: Awaited<ReturnType<typeof loadCompose>>): ComposeProject {
  if (!result.ok) assert.fail(`the compose file does not load: ${result.error}`);
  return result.project;
}

const isCollector = (s: ComposeService) => s.image === COLLECTOR_IMAGE;
const isOneShot = (s: ComposeService) => /^(on-failure(:\d+)?|no)$/.test(s.restart ?? '');
const env = (s: ComposeService) => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, v ?? '']));

// ---- The checks. Each returns one line per problem, so a test can show it passes the real file and
// ---- fails a broken copy.

/** Images carry an explicit version: no `latest`, no bare major; the collector's is package.json's version. */
function unpinnedImages(project: ComposeProject): string[] {
  return Object.entries(project.services).flatMap(([name, s]) => {
    if (!s.image) return [`${name}: no image`];
    if (s.build) return s.image === COLLECTOR_IMAGE ? [] : [`${name}: built image ${s.image} is not ${COLLECTOR_IMAGE}`];
    return /:\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/.test(s.image) ? [] : [`${name}: ${s.image} is not pinned to a version`];
  });
}

/** Long-running services restart and have a healthcheck; one-shots retry a bounded number of times. */
function unsupervisedServices(project: ComposeProject): string[] {
  return Object.entries(project.services).flatMap(([name, s]) => {
    if (isOneShot(s)) return /^on-failure:\d+$/.test(s.restart ?? '') ? [] : [`${name}: a one-shot should retry a bounded number of times (on-failure:N)`];
    if (s.restart !== 'unless-stopped' && s.restart !== 'always') return [`${name}: no restart policy`];
    const test = s.healthcheck?.test ?? [];
    return s.healthcheck?.disable || test.length === 0 || test[0] === 'NONE' ? [`${name}: no healthcheck`] : [];
  });
}

/** A dependency waits for the right thing: a one-shot to complete, a long-running service to be healthy. */
function wrongDependencyConditions(project: ComposeProject): string[] {
  return Object.entries(project.services).flatMap(([name, s]) =>
    Object.entries(s.depends_on ?? {}).flatMap(([dep, { condition }]) => {
      const target = project.services[dep];
      const wanted = target && isOneShot(target) ? 'service_completed_successfully' : 'service_healthy';
      return condition === wanted ? [] : [`${name} -> ${dep}: ${condition}, expected ${wanted}`];
    }),
  );
}

const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PWD|API_KEY)$|^PAYLOAD_KEY$/;

/** Secrets reach services as files: no secret-named variable holds a value, every secret path is mounted. */
function inlineSecrets(project: ComposeProject): string[] {
  return Object.entries(project.services).flatMap(([name, s]) => {
    const mounted = new Set((s.secrets ?? []).map((secret) => secret.target));
    return Object.entries(env(s)).flatMap(([key, value]) => [
      ...(SECRET_NAME.test(key) && !/^(true|false)$/.test(value) ? [`${name}: ${key} is set inline; use ${key}_FILE and a compose secret`] : []),
      ...(value.startsWith('/run/secrets/') && !mounted.has(value) ? [`${name}: ${key} names ${value}, which is not mounted`] : []),
    ]);
  });
}

/**
 * Every variable on a collector service is one the collector reads: the service's configuration loads
 * with it (secrets resolved to files), and differs without it. A misspelt or unused variable fails here.
 */
function unreadVariables(project: ComposeProject, dir: string): string[] {
  return Object.entries(project.services).flatMap(([name, s]) => {
    if (!isCollector(s) || !s.environment) return [];
    const purpose = PURPOSE[s.command?.[0] ?? ''];
    if (!purpose) return [`${name}: sets variables, but \`${s.command?.join(' ')}\` reads no collector configuration`];
    const vars = withSecretFiles(s, dir);
    const load = (e: Record<string, string>) => {
      try {
        return loadConfig(e, purpose);
      } catch (err) {
        if (err instanceof ConfigError) return err.lines;
        throw err;
      }
    };
    const full = load(vars);
    if (Array.isArray(full)) return full.map((line) => `${name}: ${line}`);
    return Object.keys(vars).flatMap((key) => {
      const { [key]: _dropped, ...without } = vars;
      return isDeepStrictEqual(load(without), full) ? [`${name}: ${key} has no effect on the collector's configuration`] : [];
    });
  });
}

/**
 * The service's variables, each path the container would find in a secret or a volume replaced by a
 * local file holding a stand-in (a valid payload key for the payload key).
 */
function withSecretFiles(s: ComposeService, dir: string): Record<string, string> {
  const secrets = new Map((s.secrets ?? []).map(({ source, target }) => [target, source]));
  const inVolume = (path: string) => (s.volumes ?? []).some((v) => path.startsWith(`${v.target}/`));
  return Object.fromEntries(
    Object.entries(env(s)).map(([k, v]) => {
      const source = secrets.get(v) ?? (inVolume(v) ? v.replace(/\W+/g, '-') : undefined);
      return [k, source === undefined ? v : standIn(dir, source)];
    }),
  );
}

function standIn(dir: string, source: string): string {
  const path = join(dir, `stand-in-${source}`);
  writeFileSync(path, source === 'payload_key' ? `${Buffer.alloc(32, 3).toString('base64')}\n` : `stand-in for ${source}\n`);
  return path;
}

/**
 * Temporal's variables are spelled as the SDK's environment configuration reads them: each TEMPORAL_*
 * variable other than the collector's own TEMPORAL_TASK_QUEUE changes the envconfig profile.
 */
function misspeltTemporalVariables(project: ComposeProject): string[] {
  const profile = (vars: Record<string, string>) => loadClientConfigProfile({ disableFile: true, overrideEnvVars: vars });
  return Object.entries(project.services).flatMap(([name, s]) =>
    !isCollector(s)
      ? []
      : Object.entries(env(s))
          .filter(([key, value]) => key.startsWith('TEMPORAL_') && key !== 'TEMPORAL_TASK_QUEUE' && value !== '')
          .filter(([key, value]) => isDeepStrictEqual(profile({ [key]: value }), profile({})))
          .map(([key]) => `${name}: ${key} is not a variable of @temporalio/envconfig`),
  );
}


describe('docker-compose.yml', { skip: goMissing() }, () => {
  let base: ComposeProject;
  let production: ComposeProject;
  let demo: ComposeProject;
  let scratch: string;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'o365-compose-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));
    const empty = envFile(scratch, {});
    const settings = envFile(scratch, PRODUCTION_ENV);
    [base, production, demo] = await Promise.all([
      loadCompose(COMPOSE_FILE, { envFile: empty }).then(ensureLoaded),
      loadCompose(COMPOSE_FILE, { profiles: ['collector'], envFile: settings }).then(ensureLoaded),
      loadCompose(COMPOSE_FILE, { profiles: ['demo'], envFile: empty }).then(ensureLoaded),
    ]);
  });

  it('loads with the Compose specification loader without warnings, giving each profile its services', () => {
    const platform = ['codec-server', 'postgresql', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui'];
    assert.deepEqual(Object.keys(base.services).sort(), platform);
    assert.deepEqual(Object.keys(production.services).sort(), [...platform, 'collector-start', 'worker'].sort());
    assert.deepEqual(Object.keys(demo.services).sort(), [...platform, 'demo-start', 'demo-worker', 'devo-receiver', 'emulator'].sort());
    // The demo needs no operator secrets beyond the database password, the payload key and the codec server's token.
    assert.deepEqual(Object.keys(demo.secrets ?? {}).sort(), ['codec_server_token', 'emulator_client_secret', 'payload_key', 'postgres_password']);
  });

  it('is rejected by the same loader when broken: an unknown key, an undefined dependency, an undeclared secret, a bad port', async (t) => {
    const broken = await Promise.all([
      loadEdited(t, (doc) => doc.setIn(['services', 'postgresql', 'health_check'], { test: ['CMD', 'true'] })),
      loadEdited(t, (doc) => doc.setIn(['services', 'temporal', 'depends_on', 'postgres', 'condition'], 'service_healthy')),
      loadEdited(t, (doc) => doc.setIn(['services', 'temporal', 'secrets'], ['postgres_pasword'])),
      loadEdited(t, (doc) => doc.setIn(['services', 'temporal-ui', 'ports'], ['127.0.0.1:8080:80x80'])),
    ]);
    for (const result of broken) assert.equal(result.ok, false);
    const errors = broken.map((r) => (r.ok ? '' : r.error));
    assert.match(errors[0]!, /services\.postgresql\.health_check/);
    assert.match(errors[1]!, /service "temporal" depends on undefined service "postgres"/);
    assert.match(errors[2]!, /service "temporal" refers to undefined secret postgres_pasword/);
    assert.match(errors[3]!, /Invalid containerPort: 80x80/);
  });

  it('pins every image to a version, and tags the collector image with package.json version', async (t) => {
    assert.deepEqual([base, production, demo].flatMap(unpinnedImages), []);
    const latest = ensureLoaded(await loadEdited(t, (doc) => doc.setIn(['services', 'postgresql', 'image'], 'postgres:latest')));
    assert.deepEqual(unpinnedImages(latest), ['postgresql: postgres:latest is not pinned to a version']);
  });

  it('gives every long-running service a healthcheck and a restart policy, and waits on the right condition', async (t) => {
    assert.deepEqual([production, demo].flatMap(unsupervisedServices), []);
    assert.deepEqual([production, demo].flatMap(wrongDependencyConditions), []);
    const sloppy = ensureLoaded(
      await loadEdited(t, (doc) => {
        doc.deleteIn(['services', 'temporal-ui', 'healthcheck']);
        doc.setIn(['services', 'temporal', 'depends_on', 'temporal-schema', 'condition'], 'service_started');
      }),
    );
    assert.deepEqual(unsupervisedServices(sloppy), ['temporal-ui: no healthcheck']);
    assert.deepEqual(wrongDependencyConditions(sloppy), ['temporal -> temporal-schema: service_started, expected service_completed_successfully']);
  });

  it('hands secrets over as files only, from git-ignored files, and never writes a secret value into the file', async (t) => {
    assert.deepEqual([production, demo].flatMap(inlineSecrets), []);
    const operatorSecrets = Object.values(production.secrets ?? {}).map((s) => s.file ?? '').filter((f) => f.includes('/deploy/secrets/'));
    assert.equal(operatorSecrets.length, 7);
    for (const file of operatorSecrets) execFileSync('git', ['check-ignore', '--quiet', file], { cwd: PROJECT_ROOT });
    // The emulator's made-up credential is the one committed secret file: its value appears nowhere else.
    const emulatorSecret = readFileSync(join(PROJECT_ROOT, 'deploy/demo/emulator_client_secret'), 'utf8').trim();
    assert.ok(!readFileSync(COMPOSE_FILE, 'utf8').includes(emulatorSecret));

    const inline = ensureLoaded(await loadEdited(t, (doc) => doc.setIn(['services', 'worker', 'environment', 'O365_CLIENT_SECRET'], 'hunter2'), ['collector']));
    assert.deepEqual(inlineSecrets(inline), ['worker: O365_CLIENT_SECRET is set inline; use O365_CLIENT_SECRET_FILE and a compose secret']);
  });

  it('sets on the worker, start and codec server only variables the collector reads, and the configuration loads', async (t) => {
    const dir = tempDir(t);
    assert.deepEqual([production, demo].flatMap((p) => unreadVariables(p, dir)), []);
    const typo = ensureLoaded(await loadEdited(t, (doc) => doc.setIn(['services', 'worker', 'environment', 'DEVO_BATCHSIZE'], '10'), ['collector']));
    assert.deepEqual(unreadVariables(typo, dir), ['worker: DEVO_BATCHSIZE: unknown setting; did you mean DEVO_BATCH_SIZE? (see docs/configuration.md)']);
    const foreign = ensureLoaded(await loadEdited(t, (doc) => doc.setIn(['services', 'collector-start', 'environment', 'LOGLEVEL'], 'debug'), ['collector']));
    assert.deepEqual(unreadVariables(foreign, dir), ["collector-start: LOGLEVEL has no effect on the collector's configuration"]);
  });

  it("spells Temporal's connection variables as the SDK's environment configuration does", async (t) => {
    assert.deepEqual([production, demo].flatMap(misspeltTemporalVariables), []);
    const worker = production.services.worker!;
    const profile = loadClientConfigProfile({ disableFile: true, overrideEnvVars: env(worker) });
    assert.equal(profile.address, 'temporal:7233');
    assert.equal(profile.namespace, PRODUCTION_ENV.TEMPORAL_NAMESPACE);
    const wrong = ensureLoaded(await loadEdited(t, (doc) => doc.setIn(['services', 'worker', 'environment', 'TEMPORAL_HOST'], 'temporal:7233'), ['collector']));
    assert.deepEqual(misspeltTemporalVariables(wrong), ['worker: TEMPORAL_HOST is not a variable of @temporalio/envconfig']);
  });

  it('registers exactly the search attributes the collector upserts, in the namespace the workers use', () => {
    const setup = env(production.services['temporal-setup']!);
    assert.deepEqual(setup.SEARCH_ATTRIBUTES!.split(/\s+/), SEARCH_ATTRIBUTE_FLAGS);
    assert.equal(setup.TEMPORAL_NAMESPACE, PRODUCTION_ENV.TEMPORAL_NAMESPACE);
    assert.equal(env(production.services['temporal-ui']!).TEMPORAL_DEFAULT_NAMESPACE, PRODUCTION_ENV.TEMPORAL_NAMESPACE);
  });

  it('points the UI at the codec server where the browser finds it, and lets the UI origin through its CORS', () => {
    const ui = production.services['temporal-ui']!;
    const codec = production.services['codec-server']!;
    const uiPort = ui.ports!.find((p) => p.target === 8080)!;
    const codecPort = codec.ports!.find((p) => p.target === 8888)!;
    const uiOrigin = `http://localhost:${uiPort.published}`;
    assert.equal(env(ui).TEMPORAL_CODEC_ENDPOINT, `http://localhost:${codecPort.published}`);
    assert.equal(env(ui).TEMPORAL_CORS_ORIGINS, uiOrigin);
    assert.equal(flag(codec, '--ui-origin'), uiOrigin);
    assert.equal(flag(codec, '--port'), String(codecPort.target));
    // Both decrypt-capable endpoints stay on this host's loopback.
    for (const port of [uiPort, codecPort, ...(production.services.temporal!.ports ?? [])]) assert.equal(port.host_ip, '127.0.0.1');
  });

  it('never lets the codec server decrypt anonymously: it binds the compose network, so it requires its token', () => {
    for (const project of [base, production, demo]) {
      const codec = project.services['codec-server']!;
      assert.ok(!codec.command?.includes('--anonymous-on-loopback'));
      assert.equal(env(codec).CODEC_SERVER_TOKEN_FILE, '/run/secrets/codec_server_token');
      assert.ok(codec.secrets?.some((s) => s.target === '/run/secrets/codec_server_token'));
    }
    // With OIDC sign-in on the UI, the user's access token is what reaches the codec server.
    assert.equal(env(production.services['temporal-ui']!).TEMPORAL_CODEC_PASS_ACCESS_TOKEN, 'true');
  });

  it('wires the demo worker to the emulator and to the receiver, whose certificate names the address the worker dials', () => {
    const worker = env(demo.services['demo-worker']!);
    const emulator = demo.services.emulator!;
    const receiver = demo.services['devo-receiver']!;
    assert.equal(worker.O365_LOGIN_URL, `http://emulator:${flag(emulator, '--port')}`);
    assert.equal(worker.O365_GRAPH_URL, worker.O365_LOGIN_URL);
    assert.equal(worker.DEVO_PORT, flag(receiver, '--tls-port'));
    assert.ok(flags(receiver, '--cert-hostname').includes(worker.DEVO_ADDRESS!), 'the receiver certificate covers DEVO_ADDRESS');
    assert.equal(flag(emulator, '--client-id'), worker.O365_CLIENT_ID);
    const secretOf = (s: ComposeService, target: string) => s.secrets?.find((x) => x.target === target)?.source;
    assert.equal(secretOf(emulator, flag(emulator, '--client-secret-file')!), secretOf(demo.services['demo-worker']!, worker.O365_CLIENT_SECRET_FILE!));
    // The certificates the receiver generates are where the worker reads them, through the shared volume.
    const certsDir = flag(receiver, '--certs-dir')!;
    const receiverVolume = receiver.volumes!.find((v) => certsDir.startsWith(`${v.target}/`))!;
    const workerVolume = demo.services['demo-worker']!.volumes!.find((v) => v.source === receiverVolume.source)!;
    assert.ok(workerVolume.read_only);
    const files = { DEVO_CERT: 'client.pem', DEVO_KEY: 'client.key', DEVO_CHAIN: 'ca.pem' };
    for (const [key, file] of Object.entries(files)) {
      assert.equal(worker[key], `${workerVolume.target}${certsDir.slice(receiverVolume.target.length)}/${file}`);
    }
  });

  it('runs only o365-trace subcommands and flags that exist, and mounts files that exist', async () => {
    const used = new Map<string, Set<string>>();
    for (const s of [...Object.values(production.services), ...Object.values(demo.services)].filter(isCollector)) {
      const [command, ...args] = s.command ?? [];
      const set = used.get(command!) ?? new Set<string>();
      for (const arg of args) if (arg.startsWith('--')) set.add(arg.split('=')[0]!);
      for (const arg of s.healthcheck?.test ?? []) if (arg.startsWith('--')) set.add(arg);
      used.set(command!, set);
    }
    const run = promisify(execFile);
    const help = (command: string) => run(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'client/cli.ts'), command, '--help'], { cwd: PROJECT_ROOT });
    const helps = await Promise.all([...used.keys()].map(help));
    for (const [i, [command, options]] of [...used].entries()) {
      for (const option of options) assert.ok(helps[i]!.stdout.includes(option), `o365-trace ${command} has ${option}`);
    }
    for (const s of [...Object.values(production.services), ...Object.values(demo.services)]) {
      for (const v of s.volumes ?? []) if (v.type === 'bind') assert.ok(existsSync(v.source), `${v.source} exists`);
    }
  });
});

/** The value of `--name=value` (or `--name value`) in a service's command. */
function flag(s: ComposeService, name: string): string | undefined {
  return flags(s, name)[0];
}

function flags(s: ComposeService, name: string): string[] {
  const args = s.command ?? [];
  return args.flatMap((arg, i) => (arg.startsWith(`${name}=`) ? [arg.slice(name.length + 1)] : arg === name && args[i + 1] ? [args[i + 1]!] : []));
}
