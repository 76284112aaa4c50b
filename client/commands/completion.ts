import { Command } from 'commander';
import { completionScript, COMPLETION_SHELLS, type CompletionShell } from '../completion.js';

/** `o365-trace completion bash|zsh`: print a shell completion script for the command table of `program`. */
export function completionCommand(program: () => Command): Command {
  const command = new Command('completion')
    .description('print a shell completion script (bash or zsh)')
    .argument('<shell>', COMPLETION_SHELLS.join(' or '))
    .action((shell: string) => {
      if (!(COMPLETION_SHELLS as readonly string[]).includes(shell)) {
        console.error(`o365-trace completion: expected ${COMPLETION_SHELLS.join(' or ')}, got ${JSON.stringify(shell)}`);
        process.exit(2);
      }
      process.stdout.write(completionScript(program(), shell as CompletionShell));
    });
  return command;
}
