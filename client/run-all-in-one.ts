import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/schema.js';
import { createCodec, dataConverterFor } from '../codec/data-converter.js';
import { MAX_INFLATED_BYTES, startCodecServer } from '../codec/codec-server.js';
import { freePort, startDevServer, type DevServer } from '../dev-server/start-dev-server.js';
import { createLogger } from '../logging/logger.js';
import { activityDepsFromConfig } from '../worker/activity-deps.js';
import { createCollectorWorker } from '../worker/create-worker.js';
import { connectWorker } from '../worker/connect-worker.js';
import { installRuntimeLogger } from '../worker/run-worker.js';
import { flushTracing, startTracing } from '../tracing/otel.js';
import { SEARCH_ATTRIBUTE_FLAGS } from '../workflows/search-attributes.js';
import { connectClient } from './connect.js';
import { startDemo, type Demo } from './demo.js';
import { loadOrCreatePayloadKey } from './payload-key.js';
import { resolveStart, startCollector } from './start-collector.js';
import { getStatus, statusLine } from './status.js';
import { liveLine, type LiveOutput } from './live-line.js';
import { startedLine } from './start-lines.js';
import { workflowUiLink } from './ui-link.js';

/** Options of `o365-trace run`. */
export interface RunOptions {
  /** Exit 0 once the cursor is within one window of now - lag. */
  readonly untilCaughtUp?: boolean;
  readonly statusIntervalMs?: number;
  readonly print?: (line: string) => void;
  /** Where the live status line goes when `print` is not given @default process.stdout */
  readonly output?: LiveOutput;
}

/**
 * Everything in one process: a Temporal dev server (unless TEMPORAL_ADDRESS is set), a worker, the
 * tenant's collector started or re-attached, and a live status line. With no credentials, the demo.
 * Returns the exit code.
 */
export async function runAllInOne(base: Config, options: RunOptions = {}): Promise<number> {
  // On a terminal the status line redraws in place; elsewhere it is a line per change.
  const live = liveLine(options.print ? { write: (text: string) => options.print!(text.replace(/\n$/, '')) } : (options.output ?? process.stdout));
  const print = (line: string) => live.print(line);
  const logger = createLogger('o365-trace', process.env.LOG_LEVEL ?? 'warn');
  installRuntimeLogger(logger, base.metricsAddress);
  mkdirSync(base.dataDir, { recursive: true });
  const cleanups: Array<() => Promise<void>> = [];
  try {
    let config = withPayloadKey(base, print);
    let demo: Demo | undefined;
    if (config.demo) {
      demo = await startDemo(config, resolveStart(config, Date.now()).startMs);
      cleanups.unshift(() => demo!.stop());
      config = demo.config;
      demo.lines.forEach((line) => print(line));
    }
    const embedded = config.temporal.address ? undefined : await embeddedServer(config, print, cleanups);
    const address = config.temporal.address ?? embedded!.address;
    const nativeConnection = await connectWorker(config, address);
    cleanups.unshift(() => nativeConnection.close());
    const dataConverter = dataConverterFor(config);
    const worker = await createCollectorWorker({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      dataConverter,
      deps: activityDepsFromConfig(config),
      ...(config.workflowBundlePath ? { workflowBundle: { codePath: config.workflowBundlePath } } : {}),
      tracing: startTracing(config),
    });
    const running = worker.run();
    const { client, connection } = await connectClient(config, address);
    cleanups.unshift(() => connection.close());
    const started = await startCollector(client, config);
    if (started.clampWarning) print(`warning: ${started.clampWarning}`);
    print(started.started ? `collector ${startedLine(started)}` : `collector ${started.workflowId} re-attached (it keeps its own cursor)`);
    const uiBase = embedded?.uiUrl ?? config.temporalUiUrl;
    if (uiBase) print(`ui: ${workflowUiLink(uiBase, config.temporal.namespace, started.workflowId, started.runId)}`);
    const stopped = running.then(() => 'stopped' as const);
    for (;;) {
      const status = await getStatus(client, config.microsoft.tenantId).catch(() => undefined);
      if (status) live.update(statusLine(status));
      if (options.untilCaughtUp && status?.caughtUp && status.phase !== 'blocked' && !status.backfill?.pending.length) {
        live.end();
        print('caught up: the cursor is within one window of now - lag, and no backfill is pending');
        worker.shutdown();
        await running;
        return 0;
      }
      const outcome = await Promise.race([stopped, sleep(options.statusIntervalMs ?? 5_000).then(() => 'tick' as const)]);
      if (outcome === 'stopped') return 0;
    }
  } finally {
    live.end();
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    await flushTracing();
  }
}

function withPayloadKey(config: Config, print: (line: string) => void): Config {
  if (config.payloadKey) return config;
  const file = join(config.dataDir, 'payload.key');
  const { key, created } = loadOrCreatePayloadKey(file);
  if (created) print(`generated a payload encryption key in ${file} (set PAYLOAD_KEY_FILE to use it elsewhere)`);
  return { ...config, payloadKey: key };
}

async function embeddedServer(config: Config, print: (line: string) => void, cleanups: Array<() => Promise<void>>): Promise<DevServer> {
  const port = (await isFree(7233)) ? 7233 : await freePort();
  const uiPort = (await isFree(8233)) ? 8233 : await freePort();
  // The UI shows payloads decrypted through this codec server. The embedded UI has no sign-in, so it cannot
  // send a token: the server listens on loopback only and serves this machine anonymously, unless the UI's
  // OIDC issuer is configured.
  const codec = await startCodecServer({
    codec: createCodec(config.payloadKey!, config.previousPayloadKeys, { maxInflatedBytes: MAX_INFLATED_BYTES }),
    host: '127.0.0.1',
    allowOrigin: `http://127.0.0.1:${uiPort}`,
    allowedHosts: ['127.0.0.1', 'localhost'],
    bearerToken: config.codecServerToken,
    oidc: config.codecServerOidc,
    allowAnonymous: !config.codecServerOidc,
  });
  cleanups.unshift(() => new Promise<void>((resolve) => codec.server.close(() => resolve())));
  const server = await startDevServer({
    uiCodecEndpoint: codec.url,
    dbFile: join(config.dataDir, 'temporal.db'),
    port,
    uiPort,
    namespace: config.temporal.namespace,
    searchAttributes: SEARCH_ATTRIBUTE_FLAGS,
    onProgress: print,
  });
  cleanups.unshift(() => server.stop());
  print(`${server.description}; UI at ${server.uiUrl} (payloads decoded by the codec server at ${codec.url})`);
  return server;
}

async function isFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
