import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, chownSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { isExecutable } from '../../dev-server/locate-cli.js';
import { freePort } from '../../dev-server/start-dev-server.js';
import { reapOnExit } from '../helpers/child-reaper.js';
import { waitUntil } from '../helpers/wait-until.js';

const run = promisify(execFile);

/** A throwaway PostgreSQL cluster: its own data directory and port, torn down with `stop`. */
export interface Postgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** A file holding the password, as the compose file's postgres_password secret does. */
  readonly passwordFile: string;
  stop(): Promise<void>;
}

/** Where initdb and postgres are: PATH, else Debian's /usr/lib/postgresql/<major>/bin (newest first). */
export function postgresBinDir(): string | undefined {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    ...safeList('/usr/lib/postgresql')
      .sort((a, b) => Number(b) - Number(a))
      .map((major) => `/usr/lib/postgresql/${major}/bin`),
  ];
  return dirs.find((dir) => ['initdb', 'postgres'].every((bin) => isExecutable(join(dir, bin))));
}

/**
 * initdb in a new temporary folder (password authentication, so the password file is what lets Temporal
 * in) and run `postgres` on a free loopback port as a child of this process (reaped with it); `stop`
 * removes the folder. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user the
 * Debian package creates (setpriv execs in place, so the child is postgres itself).
 */
export async function startPostgres(user = 'temporal'): Promise<Postgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (no initdb/postgres on PATH or in /usr/lib/postgresql/*/bin); .ci/run installs the Debian package postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'o365-cluster-postgresql-'));
  const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'] : [];
  const data = join(dir, 'data');
  const passwordFile = join(dir, 'postgres_password');
  writeFileSync(passwordFile, `${randomUUID()}\n`, { mode: 0o644 });
  mkdirSync(data);
  chmodSync(data, 0o700);
  if (asUser.length > 0) {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]).then((r) => r.map((x) => Number(x.stdout)));
    for (const path of [dir, data]) chownSync(path, uid!, gid!);
  }
  const command = (name: string, args: string[]): [string, string[]] => (asUser.length > 0 ? [asUser[0]!, [...asUser.slice(1), join(bin, name), ...args]] : [join(bin, name), args]);
  await run(...command('initdb', ['-D', data, '-U', user, `--pwfile=${passwordFile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-sync']), { cwd: dir });
  const port = await freePort();
  const log = createWriteStream(join(dir, 'postgres.log'));
  const child = reapOnExit(spawn(...command('postgres', ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=off']), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  await waitUntil(() => child.exitCode === null && listening(port), { timeoutMs: 120_000, intervalMs: 200, what: `PostgreSQL on port ${port} (log: ${join(dir, 'postgres.log')})` });
  return {
    host: '127.0.0.1',
    port,
    user,
    passwordFile,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGQUIT'); // immediate shutdown
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

