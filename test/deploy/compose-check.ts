import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';

const run = promisify(execFile);

/** One service of the project as compose-spec/compose-go prints it (the fields the tests read). */
export interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile: string };
  readonly profiles?: string[];
  readonly restart?: string;
  readonly command?: string[] | null;
  readonly entrypoint?: string[] | null;
  readonly environment?: Record<string, string | null>;
  readonly secrets?: { readonly source: string; readonly target: string }[];
  readonly volumes?: { readonly type: string; readonly source: string; readonly target: string; readonly read_only?: boolean }[];
  readonly ports?: { readonly host_ip?: string; readonly target: number; readonly published: string }[];
  readonly depends_on?: Record<string, { readonly condition: string }>;
  readonly healthcheck?: { readonly test?: string[]; readonly disable?: boolean; readonly interval?: string; readonly start_period?: string };
  readonly user?: string;
}

/** The normalised project: only the services, volumes and secrets the enabled profiles use. */
export interface ComposeProject {
  readonly name: string;
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
  readonly secrets?: Record<string, { readonly file?: string; readonly environment?: string }>;
}

const SOURCE = join(PROJECT_ROOT, 'deploy', 'compose-check');
const BINARY = join(PROJECT_ROOT, '.tools', 'compose-check');

/** Why the compose checks cannot run here, or undefined when a Go toolchain is on PATH. */
export function goMissing(): string | undefined {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'no Go toolchain on PATH (deploy/compose-check is built with go)';
  }
}

let built: Promise<void> | undefined;

/** Builds deploy/compose-check into the git-ignored .tools/ once per process (Go caches the rest). */
function build(): Promise<void> {
  built ??= (async () => {
    mkdirSync(join(PROJECT_ROOT, '.tools'), { recursive: true });
    await run('go', ['build', '-trimpath', '-o', BINARY, '.'], { cwd: SOURCE, timeout: 600_000 });
  })();
  return built;
}

/** What loading a compose file gave: the project, or the loader's error text. */
export type ComposeResult = { readonly ok: true; readonly project: ComposeProject } | { readonly ok: false; readonly error: string };

/**
 * Loads `file` as `docker compose [--profile P]... --env-file ENV config` would, with the Compose
 * specification's own loader (compose-spec/compose-go), failing on loader warnings too.
 */
export async function loadCompose(file: string, options: { profiles?: string[]; envFile: string }): Promise<ComposeResult> {
  await build();
  const args = ['-strict', '-env-file', options.envFile, ...(options.profiles ?? []).flatMap((p) => ['-profile', p]), file];
  try {
    // A clean environment, so the developer's shell cannot fill in a variable the test did not set.
    const { stdout } = await run(BINARY, args, { env: { PATH: process.env.PATH ?? '' }, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, project: JSON.parse(stdout) as ComposeProject };
  } catch (err) {
    const failure = err as { stderr?: string; message: string };
    return { ok: false, error: (failure.stderr || failure.message).trim() };
  }
}
