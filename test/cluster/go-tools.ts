import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';

const run = promisify(execFile);
const TOOLS = join(PROJECT_ROOT, '.tools');
const UI_MODULE_DIR = join(PROJECT_ROOT, 'deploy/temporal/ui-server');

/** The image tags docker-compose.yml pins, so the tier builds exactly what the compose file deploys. */
export function composeVersions(): { server: string; adminTools: string; ui: string } {
  const compose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { image?: string }> };
  const tag = (service: string) => compose.services[service]?.image?.split(':')[1] ?? '';
  return { server: tag('temporal'), adminTools: tag('temporal-schema'), ui: tag('temporal-ui') };
}

/** The ui-server version deploy/temporal/ui-server/go.mod pins. */
export function uiServerModuleVersion(): string {
  return /github\.com\/temporalio\/ui-server\/v2 v(\S+)/.exec(readFileSync(join(UI_MODULE_DIR, 'go.mod'), 'utf8'))?.[1] ?? '';
}

/** The Temporal server and its SQL tool, built from go.temporal.io/server, and that module's files. */
export interface TemporalServerBuild {
  readonly version: string;
  readonly binDir: string;
  /** The image's entrypoint script (docker/scripts/sh/entrypoint.sh of the module). */
  readonly entrypoint: string;
  /** The module's schema/ folder: what admin-tools ships as /etc/temporal/schema. */
  readonly schemaDir: string;
  /** Seconds the build took now; undefined when the cached binaries were used. */
  readonly buildSeconds?: number;
}

const GOPROXY = 'https://proxy.golang.org';
let goCommand: Promise<string> | undefined;

/**
 * A `go` command of at least 1.21, the first that fetches the toolchain a module asks for
 * (https://go.dev/doc/toolchain): the one on PATH, else the Go toolchain as the module proxy serves it
 * (golang.org/toolchain, the module GOTOOLCHAIN itself downloads), unpacked into .tools/. Debian
 * bookworm's golang-go is 1.19, too old for that, and Temporal 1.30 asks for go 1.25.
 */
export function goBinary(onProgress: (m: string) => void): Promise<string> {
  goCommand ??= (async () => {
    const version = await run('go', ['env', 'GOVERSION']).then((r) => r.stdout.trim(), () => '');
    const [major, minor] = version.replace(/^go/, '').split('.').map(Number);
    if (major === 1 && minor! >= 21) return 'go';
    const wanted = /^go (\S+)/m.exec(await (await fetch(`${GOPROXY}/go.temporal.io/server/@v/v${composeVersions().server}.mod`)).text())?.[1];
    const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
    const dir = join(TOOLS, `go-${wanted}`);
    const bin = join(dir, 'bin', 'go');
    if (existsSync(bin)) return bin;
    onProgress(`no Go 1.21 or newer here (${version || 'none'}); fetching the go${wanted} toolchain from the module proxy into ${dir} ...`);
    const zip = `${dir}.zip`;
    const response = await fetch(`${GOPROXY}/golang.org/toolchain/@v/v0.0.1-go${wanted}.linux-${arch}.zip`);
    if (!response.ok) throw new Error(`the module proxy has no go${wanted} toolchain: HTTP ${response.status}`);
    writeFileSync(zip, Buffer.from(await response.arrayBuffer()));
    const tmp = `${dir}.tmp-${process.pid}`;
    await run('python3', ['-m', 'zipfile', '-e', zip, tmp]);
    const root = join(tmp, `golang.org/toolchain@v0.0.1-go${wanted}.linux-${arch}`);
    // zipfile keeps no permission bits: the commands and the compiler's tools must be executable again.
    await run('chmod', ['-R', 'a+x', join(root, 'bin'), join(root, 'pkg', 'tool')]);
    renameSync(root, dir);
    rmSync(tmp, { recursive: true, force: true });
    rmSync(zip, { force: true });
    return bin;
  })();
  return goCommand;
}

/** The environment of every go command here: modules from the proxy, a newer toolchain fetched if needed. */
function goEnv(gobin?: string): NodeJS.ProcessEnv {
  // GOTOOLCHAIN=auto lets the go command download the toolchain the module's go directive asks for,
  // through the module proxy (https://go.dev/doc/toolchain).
  return { ...process.env, GOFLAGS: '-mod=mod -buildvcs=false', GOTOOLCHAIN: 'auto', ...(gobin ? { GOBIN: gobin } : {}) };
}

let progressSink: (m: string) => void = () => undefined;

async function go(args: string[], options: { cwd?: string; gobin?: string } = {}): Promise<string> {
  const bin = await goBinary(progressSink);
  // nice: the build shares a small machine with whatever else runs.
  const { stdout } = await run('nice', ['-n', '10', bin, ...args], { cwd: options.cwd ?? TOOLS, env: goEnv(options.gobin), maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** The module's directory in Go's module cache (downloaded if missing). */
async function moduleDir(path: string, version: string): Promise<string> {
  const info = JSON.parse(await go(['mod', 'download', '-json', `${path}@v${version}`])) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${path}@v${version}: ${info.Error ?? 'no directory'}`);
  return info.Dir;
}

/**
 * `go install go.temporal.io/server/cmd/server@v<version>` and `.../cmd/tools/sql@v<version>`, into
 * .tools/temporal-server-<version>/ as temporal-server and temporal-sql-tool (the names in the images),
 * unless already there. The build resolves the module's own go.sum, as upstream's release does.
 */
export async function temporalServerBuild(version: string, onProgress: (m: string) => void): Promise<TemporalServerBuild> {
  mkdirSync(TOOLS, { recursive: true });
  progressSink = onProgress;
  const binDir = join(TOOLS, `temporal-server-${version}`);
  let buildSeconds: number | undefined;
  if (!existsSync(join(binDir, 'temporal-server')) || !existsSync(join(binDir, 'temporal-sql-tool'))) {
    onProgress(`building the Temporal server ${version} and temporal-sql-tool from Go modules into ${binDir} (minutes on a first run) ...`);
    const started = Date.now();
    const tmp = `${binDir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    await go(['install', `go.temporal.io/server/cmd/server@v${version}`, `go.temporal.io/server/cmd/tools/sql@v${version}`], { gobin: tmp });
    renameSync(join(tmp, 'server'), join(tmp, 'temporal-server'));
    renameSync(join(tmp, 'sql'), join(tmp, 'temporal-sql-tool'));
    rmSync(binDir, { recursive: true, force: true });
    renameSync(tmp, binDir);
    buildSeconds = Math.round((Date.now() - started) / 1000);
  }
  const dir = await moduleDir('go.temporal.io/server', version);
  // The image runs its entrypoint with Alpine's sh (busybox), which knows `set -o pipefail`; Debian's sh
  // (dash) does not, so the same script runs here under bash.
  const entrypoint = join(binDir, 'entrypoint.sh');
  if (!existsSync(entrypoint)) {
    writeFileSync(entrypoint, readFileSync(join(dir, 'docker/scripts/sh/entrypoint.sh'), 'utf8').replace(/^#!\/bin\/sh/, '#!/usr/bin/env bash'));
    chmodSync(entrypoint, 0o755);
  }
  return { version, binDir, entrypoint, schemaDir: join(dir, 'schema'), buildSeconds };
}

/**
 * The Temporal UI server (github.com/temporalio/ui-server/v2, the server of the temporalio/ui image,
 * with the UI's assets embedded), built from deploy/temporal/ui-server/go.mod into
 * .tools/temporal-ui-server-<version>/ui-server unless already there.
 */
export async function uiServerBuild(version: string, onProgress: (m: string) => void): Promise<{ path: string; buildSeconds?: number }> {
  const dir = join(TOOLS, `temporal-ui-server-${version}`);
  const path = join(dir, 'ui-server');
  if (existsSync(path)) return { path };
  onProgress(`building the Temporal UI server ${version} from Go modules into ${dir} ...`);
  const started = Date.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await go(['build', '-o', join(tmp, 'ui-server'), 'github.com/temporalio/ui-server/v2/cmd/server'], { cwd: UI_MODULE_DIR });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { path, buildSeconds: Math.round((Date.now() - started) / 1000) };
}
