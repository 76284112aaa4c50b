import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { reapOnExit } from '../helpers/child-reaper.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * The temporalio/ui image's configuration from its environment, as its docker/config-template.yaml
 * (github.com/temporalio/ui-server/v2) renders the variables the compose file sets; the rest at the
 * template's defaults.
 */
export function uiConfig(env: Record<string, string>): Record<string, unknown> {
  const bool = (name: string, fallback: boolean) => (env[name] ?? String(fallback)) === 'true';
  return {
    temporalGrpcAddress: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    host: env.TEMPORAL_UI_HOST ?? '0.0.0.0',
    port: Number(env.TEMPORAL_UI_PORT ?? 8080),
    enableUi: true,
    defaultNamespace: env.TEMPORAL_DEFAULT_NAMESPACE ?? 'default',
    notifyOnNewVersion: false,
    cors: { cookieInsecure: bool('TEMPORAL_CSRF_COOKIE_INSECURE', false), allowOrigins: (env.TEMPORAL_CORS_ORIGINS ?? 'http://localhost:8080').split(',') },
    auth: { enabled: false },
    codec: {
      endpoint: env.TEMPORAL_CODEC_ENDPOINT ?? '',
      passAccessToken: bool('TEMPORAL_CODEC_PASS_ACCESS_TOKEN', false),
      includeCredentials: bool('TEMPORAL_CODEC_INCLUDE_CREDENTIALS', false),
    },
  };
}

/** Starts `ui-server --env docker start` on a configuration written into `dir`; resolves once it serves its page. */
export async function startUiServer(binary: string, dir: string, env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const config = uiConfig(env);
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(join(dir, 'config', 'docker.yaml'), stringify(config));
  const log = createWriteStream(join(dir, 'ui-server.log'));
  const child = reapOnExit(spawn(binary, ['--root', dir, '--env', 'docker', 'start'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : String(config.host)}:${String(config.port)}`;
  await waitUntil(async () => child.exitCode === null && (await fetch(url).catch(() => undefined))?.ok, {
    timeoutMs: 60_000,
    intervalMs: 500,
    what: `the UI server on ${url} (log: ${join(dir, 'ui-server.log')})`,
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
