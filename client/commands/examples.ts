import type { Command } from 'commander';

/** The examples each command's --help ends with, by command name (the program itself under ''). */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  '': [
    'run                                  # all in one; the demo without credentials',
    'start && o365-trace status',
    '--tenant contoso.onmicrosoft.com status --json',
    'status --all',
    'backfill --from 2026-11-20T00:00Z --to 2026-11-21T00:00Z --wait',
  ],
  run: ['run', 'run --until-caught-up', 'TEMPORAL_ADDRESS=temporal:7233 o365-trace run'],
  worker: ['worker', 'worker --health   # container healthcheck: exit 0 when this host polls the task queue'],
  start: ['start', 'start --from-scratch   # after a terminate: from O365_START, not the last cursor', 'start --all'],
  status: ['status', 'status --json | jq .cursor', '--tenant contoso.onmicrosoft.com status', 'status --all', 'status --all --json'],
  backfill: ['backfill --from 2026-11-20T00:00:00Z --to 2026-11-21T00:00:00Z', 'backfill --from 2026-11-20T00:00Z --to 2026-11-20T06:00Z --wait'],
  pause: ['pause --reason "Devo maintenance"', '--tenant contoso.onmicrosoft.com pause'],
  resume: ['resume'],
  emulator: ['emulator --client-id demo --client-secret-file ./secret --records 100000 --span 1d', 'emulator --port 0 --visibility immediate --quota 0 --client-id a --client-secret b'],
  'codec-server': ['codec-server --port 8888 --ui-origin https://temporal-ui.example.com   # the UI decodes payloads through it'],
  'devo-receiver': ['devo-receiver --tls-port 6514 --out-dir .data/devo', 'devo-receiver --tcp-port 0 --http-port 0   # a relay and HTTP ingestion too'],
  completion: [
    'completion bash > /etc/bash_completion.d/o365-trace',
    'completion zsh > "${fpath[1]}/_o365-trace"',
    'source <(o365-trace completion bash)   # this shell only',
  ],
};

/** Adds an "Examples:" section to the --help of `program` and of each of its commands that has examples. */
export function addExamples(program: Command): void {
  for (const command of [program, ...program.commands]) {
    const examples = EXAMPLES[command === program ? '' : command.name()];
    if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ o365-trace ${e}`).join('\n')}`);
  }
}
