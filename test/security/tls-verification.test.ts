import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, get as httpsGet, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { PROJECT_ROOT } from '../../dev-server/locate-cli.js';
import { DevoTlsRejected } from '../../devo/errors.js';
import { frameEvent } from '../../devo/framing.js';
import { sendSyslogBatch } from '../../devo/syslog-sender.js';
import { startDevoReceiver, type DevoReceiver } from '../../emulator/devo-receiver/index.js';
import { getApiJson } from '../../microsoft/http.js';
import { requestToken } from '../../microsoft/token.js';
import { foreignCertificates, testCertificates } from '../helpers/certificates.js';

const TOKEN = 'bearer-token-for-an-untrusted-host';
const SECRET = 'client-secret-for-an-untrusted-host';

/**
 * NODE_TLS_REJECT_UNAUTHORIZED=0 turns certificate checks off for every TLS client in the process that
 * does not set rejectUnauthorized itself. Each test first shows the variable really is in force (a client
 * without an explicit setting connects to the untrusted server), then that ours still refuse it.
 */
describe('with NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment', () => {
  let untrustedHttps: Server;
  let httpsUrl: string;
  const seen: string[] = [];
  let foreignReceiver: DevoReceiver;
  const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

  before(async () => {
    const foreign = await foreignCertificates();
    untrustedHttps = createServer({ cert: foreign.serverCert, key: foreign.serverKey }, (req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[],"access_token":"x","expires_in":3600}');
    });
    untrustedHttps.listen(0, '127.0.0.1');
    await once(untrustedHttps, 'listening');
    httpsUrl = `https://127.0.0.1:${(untrustedHttps.address() as AddressInfo).port}`;
    foreignReceiver = await startDevoReceiver({ tls: { port: 0, certs: foreign } });
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  });
  after(async () => {
    if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    untrustedHttps.close();
    await foreignReceiver.close();
  });

  it('the Microsoft HTTP client refuses a server whose certificate is not trusted, and sends it no token', async () => {
    const control = await new Promise<number | undefined>((resolve, reject) => {
      httpsGet(`${httpsUrl}/control`, (res) => resolve(res.resume().statusCode)).on('error', reject);
    });
    assert.equal(control, 200, "Node's own https client, without an explicit setting, trusts the untrusted server");
    const before = seen.length;
    const err = await getApiJson(`${httpsUrl}/v1.0/admin/exchange/tracing/messageTraces`, TOKEN).catch((e: unknown) => e as Error & { code?: string });
    assert.ok(err instanceof Error, 'the request must fail');
    assert.match(err.code ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|CERT/);
    const tokenErr = await requestToken({ loginUrl: httpsUrl, tenantId: 't', clientId: 'c', clientSecret: SECRET, source: 'graph', graphUrl: httpsUrl }, Date.now()).catch((e: unknown) => e);
    assert.ok(tokenErr instanceof Error);
    assert.equal(seen.length, before, 'the untrusted server never saw a request, a token or the client secret');
  });

  it('the Devo TLS sender refuses a receiver whose certificate is not trusted, as server-untrusted', async () => {
    const ours = await testCertificates();
    const target = { transport: 'tls' as const, host: '127.0.0.1', port: foreignReceiver.tlsPort!, cert: ours.clientCert, key: ours.clientKey, ca: ours.caCert };
    const control: TLSSocket = connect({ host: target.host, port: target.port, cert: target.cert, key: target.key, ca: target.ca });
    await once(control, 'secureConnect');
    assert.equal(control.authorized, false, 'the control socket connected although the certificate did not verify');
    control.destroy();
    const frame = frameEvent({ tag: 'my.app.secret', hostname: 'h', timestamp: Date.now(), message: 'must not arrive' });
    const err = await sendSyslogBatch([frame], target).catch((e: unknown) => e);
    assert.ok(err instanceof DevoTlsRejected, String(err));
    assert.equal(err.reason, 'server-untrusted');
    assert.equal(foreignReceiver.eventsForTag('my.app.secret').length, 0);
  });
});

describe('a worker started with NODE_TLS_REJECT_UNAUTHORIZED=0', () => {
  it('refuses to start: exit 2 with one line naming the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'o365-tls-env-'));
    for (const name of ['cert.pem', 'key.pem', 'chain.pem']) writeFileSync(join(dir, name), 'x');
    const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(PROJECT_ROOT, 'client/cli.ts'), 'worker'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_TLS_REJECT_UNAUTHORIZED: '0',
        O365_TENANT_ID: 't',
        O365_CLIENT_ID: 'c',
        O365_CLIENT_SECRET: 's',
        DEVO_CERT: join(dir, 'cert.pem'),
        DEVO_KEY: join(dir, 'key.pem'),
        DEVO_CHAIN: join(dir, 'chain.pem'),
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        PAYLOAD_KEY: randomBytes(32).toString('base64'),
      },
    });
    assert.equal(result.status, 2, result.stderr);
    assert.deepEqual(result.stderr.trim().split('\n').slice(1).map((l) => l.split(':')[0]?.trim()), ['NODE_TLS_REJECT_UNAUTHORIZED']);
  });
});
