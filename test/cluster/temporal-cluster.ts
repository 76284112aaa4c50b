import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { reapOnExit } from '../helpers/child-reaper.js';
import { waitUntil } from '../helpers/wait-until.js';
import type { TemporalServerBuild } from './go-tools.js';
import type { Postgres } from './postgres.js';

const run = promisify(execFile);
const DEPLOY = join(PROJECT_ROOT, 'deploy/temporal');

/** A service's `environment` in docker-compose.yml, as written (no interpolation: defaults of `${X:-d}` are taken). */
export function composeEnvironment(service: string): Record<string, string> {
  const compose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { environment?: Record<string, string> }> };
  const env = compose.services[service]?.environment ?? {};
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{\w+:-([^}]*)\}/g, '$1')]));
}

/** Runs one of the compose file's scripts (deploy/temporal/<name>) with sh, as the compose services do. */
export async function runDeployScript(name: string, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout, stderr } = await run('sh', [join(DEPLOY, name)], { env, maxBuffer: 16 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${name} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** One `temporal-server start` process with every service, on ports of its own. */
export class TemporalNode {
  private child?: ChildProcess;
  readonly frontend: string;
  readonly metricsUrl: string;

  constructor(
    readonly name: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
  ) {
    this.frontend = `127.0.0.1:${env.FRONTEND_GRPC_PORT}`;
    this.metricsUrl = `http://${env.PROMETHEUS_ENDPOINT}/metrics`;
  }

  /** Starts the node through the compose file's start-server.sh. */
  start(): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.child = reapOnExit(spawn('sh', [join(DEPLOY, 'start-server.sh')], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] }));
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: the machine dies, no shard handed over, no membership goodbye. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.child || !this.alive()) return;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    await exited;
  }

  /** The history shards this node says it owns (the history service's numshards_gauge), if it answers. */
  async shards(): Promise<number | undefined> {
    try {
      const text = await (await fetch(this.metricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
      const line = text.split('\n').find((l) => l.startsWith('numshards_gauge'));
      return line ? Number(line.trim().split(/\s+/).at(-1)) : 0;
    } catch {
      return undefined;
    }
  }

  /** The frontend answers. */
  async serving(): Promise<boolean> {
    try {
      const connection = await Connection.connect({ address: this.frontend, connectTimeout: 2_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return true;
      } finally {
        await connection.close();
      }
    } catch {
      return false;
    }
  }
}

/**
 * The compose `temporal` service's environment for one node: the compose file's own values, with what a
 * container has by itself (its own address, the database's host and port, file paths) set for this
 * machine, and every service on ports of its own so two nodes share one host.
 */
export async function nodeEnvironment(build: TemporalServerBuild, postgres: Postgres, extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  const ports: number[] = [];
  for (let i = 0; i < 10; i++) ports.push(await freeLowPort(ports));
  const [grpc, http, frontendRing, history, historyRing, matching, matchingRing, worker, workerRing, metrics] = ports;
  return {
    PATH: `${build.binDir}${delimiter}${process.env.PATH ?? ''}`,
    HOME: process.env.HOME ?? '',
    ...composeEnvironment('temporal'),
    POSTGRES_SEEDS: postgres.host,
    DB_PORT: String(postgres.port),
    POSTGRES_USER: postgres.user,
    POSTGRES_PASSWORD_FILE: postgres.passwordFile,
    BIND_ON_IP: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: join(DEPLOY, 'dynamicconfig.yaml'),
    TEMPORAL_ENTRYPOINT: build.entrypoint,
    FRONTEND_GRPC_PORT: String(grpc),
    FRONTEND_HTTP_PORT: String(http),
    FRONTEND_MEMBERSHIP_PORT: String(frontendRing),
    HISTORY_GRPC_PORT: String(history),
    HISTORY_MEMBERSHIP_PORT: String(historyRing),
    MATCHING_GRPC_PORT: String(matching),
    MATCHING_MEMBERSHIP_PORT: String(matchingRing),
    WORKER_GRPC_PORT: String(worker),
    WORKER_MEMBERSHIP_PORT: String(workerRing),
    PROMETHEUS_ENDPOINT: `127.0.0.1:${metrics}`,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/**
 * A free loopback port below 32768: the cluster_membership table keeps membership ports as smallint
 * (schema/postgresql/v12/temporal), and Linux hands out ephemeral ports from 32768 up.
 */
async function freeLowPort(taken: readonly number[]): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.includes(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/**
 * What stands in front of the `temporal` service's replicas in a deployment (a load balancer, or the
 * service name resolving to each replica): one address; each new connection goes to a node whose
 * frontend accepts it, taking the nodes in turn. A dead node's connections drop, and clients reconnect
 * to the other one.
 */
export async function frontendBalancer(nodes: readonly TemporalNode[]): Promise<{ address: string; close(): Promise<void> }> {
  let turn = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const order = nodes.map((_, i) => nodes[(turn + i) % nodes.length]!);
    turn++;
    const attempt = (i: number) => {
      if (i >= order.length || client.destroyed) return void client.destroy();
      const [host, port] = order[i]!.frontend.split(':') as [string, string];
      const upstream = connect(Number(port), host);
      let connected = false;
      upstream.once('error', () => (connected ? client.destroy() : attempt(i + 1)));
      upstream.once('connect', () => {
        connected = true;
        sockets.add(upstream);
        upstream.on('close', () => (sockets.delete(upstream), client.destroy()));
        client.on('close', () => upstream.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
      });
    };
    client.pause(); // until an upstream takes it: pipe() resumes
    attempt(0);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits until every node's frontend answers and the history shards are all owned, then says who owns how many. */
export async function waitForShards(nodes: readonly TemporalNode[], totalShards: number, timeoutMs: number): Promise<number[]> {
  let last: Array<number | undefined> = [];
  return waitUntil(
    async () => {
      if (!(await Promise.all(nodes.map((n) => n.serving()))).every(Boolean)) return undefined;
      last = await Promise.all(nodes.map((n) => n.shards()));
      const owned = last.map((s) => s ?? 0);
      return owned.reduce((a, b) => a + b, 0) === totalShards ? owned : undefined;
    },
    { timeoutMs, intervalMs: 1_000, what: `the ${totalShards} history shards owned by the live nodes`, explain: () => `shards per node ${JSON.stringify(last)}` },
  );
}
