import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MAX_INFLATED_BYTES, startCodecServer } from '../codec/codec-server.js';
import { createCodec } from '../codec/data-converter.js';
import { freePort, startDevServer, type DevServer } from '../dev-server/start-dev-server.js';
import { REPLAY_KEY } from './replay/history-files.js';
import { PROJECT_ROOT } from '../dev-server/locate-cli.js';
import { SEARCH_ATTRIBUTE_FLAGS } from '../workflows/search-attributes.js';

/**
 * `npm test`: one real Temporal dev server for the whole run (unless TEMPORAL_ADDRESS names an existing
 * one), then node's test runner over every *.test.ts, one file at a time (the machine has two cores and
 * the workflow tests share the server). Arguments narrow the files: `npm test -- test/unit`.
 */
async function main(): Promise<number> {
  const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test'];
  const files = roots.flatMap((root) => findTests(join(PROJECT_ROOT, root))).sort();
  if (files.length === 0) {
    console.error(`no test files under ${roots.join(', ')}`);
    return 1;
  }
  let server: DevServer | undefined;
  let codecUrl: string | undefined;
  if (!process.env.TEMPORAL_ADDRESS) {
    const started = Date.now();
    // The UI is served too, wired to a codec server with the tests' key, for the browser test.
    const uiPort = await freePort();
    // Anonymous on loopback, for the headless browser of test/ui (the dev server's UI has no sign-in).
    const codec = await startCodecServer({
      codec: createCodec(REPLAY_KEY, [], { maxInflatedBytes: MAX_INFLATED_BYTES }),
      host: '127.0.0.1',
      allowOrigin: `http://127.0.0.1:${uiPort}`,
      allowAnonymous: true,
    });
    codec.server.unref();
    codecUrl = codec.url;
    server = await startDevServer({ onProgress: (m) => console.log(m), searchAttributes: SEARCH_ATTRIBUTE_FLAGS, uiPort, uiCodecEndpoint: codec.url });
    console.log(`${server.description} ready in ${Date.now() - started} ms; UI ${server.uiUrl}`);
  }
  try {
    const env = { ...process.env, ...(server ? { TEMPORAL_ADDRESS: server.address, TEST_TEMPORAL_UI_URL: server.uiUrl, TEST_CODEC_URL: codecUrl } : {}) };
    // --test-force-exit: each file's process ends with process.exit once its tests are done. Left to end by
    // itself, one such process (test/workflows/collector-faults.test.ts, after all its tests passed) spun
    // at 100% CPU for good inside Node's own teardown (FreeEnvironment -> CleanupHandles) with no libuv
    // handle or request left, which would hang the whole run; process.exit skips that teardown.
    const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=600000', '--test-force-exit', ...files.map((f) => relative(PROJECT_ROOT, f))];
    return await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await server?.stop();
  }
}


function findTests(path: string): string[] {
  const stat = statSync(path);
  if (stat.isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path)
    .filter((name) => name !== 'node_modules' && name !== 'fixtures')
    .flatMap((name) => findTests(join(path, name)));
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
