import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../client/program.js';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { temporalTestEnv } from '../helpers/temporal.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

/** Runs the real CLI in an empty directory (no .env) with exactly the given environment. */
function o365Trace(args: string[], env: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'o365-cli-'));
  return spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'client/cli.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_PATH: join(PROJECT_ROOT, 'node_modules'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('o365-trace command surface', () => {
  it('a client command without TEMPORAL_ADDRESS is a configuration error: exit 2, named beside the other bad settings', () => {
    const result = o365Trace(['status'], { O365_TENANT_ID: 'contoso', PAYLOAD_KEY: KEY, O365_WINDOW: 'five' });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^\s+TEMPORAL_ADDRESS: required for `status`/m);
    assert.match(result.stderr, /^\s+O365_WINDOW: expected a duration/m);
  });

  it('names every bad setting at once: schema errors, unknown names with a suggestion, and the checks across settings', () => {
    const result = o365Trace(['worker'], { O365_TENANT_ID: 't', O365_CLIENT_ID: 'c', O365_CLIENT_SECRET: 's', O365_WINDOW: 'five', O365_LAGG: '20m', O365_START: 'yesterday' });
    assert.equal(result.status, 2, result.stderr);
    const lines = result.stderr.trim().split('\n').slice(1).map((l) => l.trim().split(':')[0]);
    for (const name of ['O365_LAGG', 'O365_WINDOW', 'O365_START', 'DEVO_CERT', 'PAYLOAD_KEY', 'TEMPORAL_ADDRESS']) assert.ok(lines.includes(name), `${name} missing from:\n${result.stderr}`);
    assert.match(result.stderr, /O365_LAGG: unknown setting; did you mean O365_LAG\?/);
  });

  it('--version prints the package version', () => {
    const result = o365Trace(['--version']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('--tenant overrides O365_TENANT_ID for the command, before or after the subcommand', async () => {
    const { address } = await temporalTestEnv();
    for (const args of [['--tenant', 'fabrikam', 'status'], ['status', '--tenant', 'fabrikam']]) {
      const result = o365Trace(args, { O365_TENANT_ID: 'contoso', PAYLOAD_KEY: KEY, TEMPORAL_ADDRESS: address });
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /no collector o365-message-trace\/fabrikam in namespace default \(start it with: o365-trace start\)/);
    }
  });

  it('completion bash completes subcommands and their options', () => {
    const script = o365Trace(['completion', 'bash']);
    assert.equal(script.status, 0, script.stderr);
    const file = join(mkdtempSync(join(tmpdir(), 'o365-completion-')), 'o365-trace.bash');
    writeFileSync(file, script.stdout);
    const complete = (words: string[]) =>
      spawnSync('bash', ['-c', `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _o365_trace; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' }).stdout.trim();
    assert.equal(complete(['o365-trace', 'st']), 'start status');
    assert.equal(complete(['o365-trace', '--tenant', 'x', 'backfill', '--w']), '--wait');
    assert.match(o365Trace(['completion', 'zsh']).stdout, /^#compdef o365-trace/);
    assert.equal(o365Trace(['completion', 'fish']).status, 2);
  });

  it('every command has examples in its --help', () => {
    const program = buildProgram();
    const help = (command: Command) => {
      let text = '';
      command.configureOutput({ writeOut: (chunk) => (text += chunk) });
      command.outputHelp();
      return text;
    };
    assert.match(help(program), /Examples:\n {2}\$ o365-trace /);
    for (const command of program.commands) {
      assert.match(help(command), new RegExp(`Examples:\\n  \\$ o365-trace .*${command.name()}`), `${command.name()} --help:\n${help(command)}`);
    }
    assert.match(o365Trace(['status', '--help']).stdout, /Examples:\n {2}\$ o365-trace status\n/);
  });
});
