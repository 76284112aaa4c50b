import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The stages, each the instructions from its FROM to the next. */
function stages(all: Instruction[]): { from: string; name?: string; body: Instruction[] }[] {
  const result: { from: string; name?: string; body: Instruction[] }[] = [];
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = instruction.args.split(/\s+/);
      result.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, body: [] });
    } else {
      result.at(-1)?.body.push(instruction);
    }
  }
  return result;
}

const DOCKERFILE = instructions(readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
const STAGES = stages(DOCKERFILE);
const FINAL = STAGES.at(-1)!;
const PACKAGE = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> };
const runs = (stage: { body: Instruction[] }) => stage.body.filter((i) => i.keyword === 'RUN').map((i) => i.args);
/** The last instruction of a kind in the final stage (the one that takes effect). */
const last = (keyword: string) => FINAL.body.filter((i) => i.keyword === keyword).at(-1);
const exec = (keyword: string) => JSON.parse(last(keyword)?.args ?? 'null') as string[] | null;

describe('Dockerfile', () => {
  it('is multi-stage, copies only from its own earlier stages, and runs as an unprivileged user', () => {
    assert.ok(STAGES.length >= 2, 'more than one stage');
    const names = new Set<string>();
    for (const stage of STAGES) {
      for (const copy of stage.body.filter((i) => i.keyword === 'COPY')) {
        const from = /--from=(\S+)/.exec(copy.args)?.[1];
        if (from) assert.ok(names.has(from), `COPY --from=${from} names an earlier stage`);
      }
      if (stage.name) names.add(stage.name);
    }
    const user = last('USER')?.args;
    assert.ok(user, 'the final stage sets USER');
    assert.ok(!/^(root|0)(:|$)/.test(user), `USER ${user} is not root`);
    assert.ok(FINAL.body.slice(FINAL.body.lastIndexOf(last('USER')!)).every((i) => i.keyword !== 'RUN'), 'USER comes after the last RUN');
  });

  it("builds every stage on the Node major of package.json's engines, at a version engines accepts", () => {
    const minimum = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(PACKAGE.engines.node);
    assert.ok(minimum, `engines.node ${PACKAGE.engines.node} is a >= range`);
    for (const { from } of STAGES) {
      const version = /^node:(\d+)\.(\d+)\.(\d+)-[a-z-]+$/.exec(from);
      assert.ok(version, `${from} is node:<major.minor.patch>-<variant>`);
      assert.equal(version[1], minimum[1], `${from} is Node ${minimum[1]}`);
      const [, , minor, patch] = version.map(Number);
      assert.ok(minor! > Number(minimum[2]) || (minor === Number(minimum[2]) && patch! >= Number(minimum[3])), `${from} satisfies ${PACKAGE.engines.node}`);
      // Debian: the Temporal SDK's native core has no musl build.
      assert.doesNotMatch(from, /alpine/);
    }
  });

  it('installs from the lockfile and builds with the package build script, as CI installs and tests', () => {
    const ci = readFileSync(join(PROJECT_ROOT, '.ci/run'), 'utf8');
    assert.match(ci, /npm (ci|install)\b/, 'CI installs with npm');
    const commands = STAGES.flatMap(runs).flatMap((run) => run.split('&&').map((c) => c.trim()));
    for (const command of commands) {
      assert.match(command, /^(npm (ci|run \S+|cache clean)|mkdir|chown)\b/, `only npm and file ownership steps: ${command}`);
      const script = /^npm run (\S+)/.exec(command)?.[1];
      if (script) assert.ok(PACKAGE.scripts[script], `npm run ${script} is a package.json script`);
    }
    assert.ok(commands.some((c) => /^npm ci\b/.test(c) && !c.includes('--omit=dev')), 'the build stage installs every dependency');
    assert.ok(commands.includes('npm run build'), 'the build stage runs npm run build');
    assert.match(PACKAGE.scripts.build!, /^tsc -p tsconfig\.json$/);
    // npm ci needs the lockfile: each stage that installs copies it first.
    for (const stage of STAGES.filter((s) => runs(s).some((r) => r.includes('npm ci')))) {
      const copy = stage.body.findIndex((i) => i.keyword === 'COPY' && i.args.includes('package-lock.json'));
      const install = stage.body.findIndex((i) => i.keyword === 'RUN' && i.args.includes('npm ci'));
      assert.ok(copy !== -1 && copy < install, `${stage.name ?? 'final'}: package-lock.json is copied before npm ci`);
    }
  });

  it('starts the JavaScript that tsc emits for client/cli.ts, the module `npm run o365-trace` runs under tsx', () => {
    const configFile = ts.getParsedCommandLineOfConfigFile(join(PROJECT_ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    assert.ok(configFile);
    const [emitted] = ts.getOutputFileNames(configFile, join(PROJECT_ROOT, 'client/cli.ts'), false);
    assert.deepEqual(exec('ENTRYPOINT'), ['node', relative(PROJECT_ROOT, emitted!)]);
    assert.equal(PACKAGE.scripts['o365-trace'], 'tsx client/cli.ts');
    assert.deepEqual(exec('CMD'), ['worker']);
    // The build output lands where the final stage copies it from.
    const outDir = relative(PROJECT_ROOT, configFile.options.outDir!);
    assert.ok(FINAL.body.some((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build') && i.args.includes(`/app/${outDir}`)));
  });

  it('keeps secrets, local state and host modules out of the build context', () => {
    const ignored = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const pattern of ['.env', '.data', '.tools', 'deploy', '**/node_modules', '.git', 'dist']) assert.ok(ignored.includes(pattern), `.dockerignore has ${pattern}`);
    assert.ok(!ignored.some((line) => line.startsWith('!')), 'no exceptions re-include anything');
  });
});
