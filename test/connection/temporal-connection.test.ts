import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectClient } from '../../client/connect.js';
import { ConfigError, loadConfig } from '../../config/schema.js';
import { connectionOptions, describeConnection, resolveTemporalConnection } from '../../config/temporal-connection.js';
import { NativeConnection } from '@temporalio/worker';
import { connectWorker } from '../../worker/connect-worker.js';
import { testCertificates } from '../helpers/certificates.js';
import { temporalTestEnv } from '../helpers/temporal.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const API_KEY = 'tcld-api-key-value-never-logged';

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'o365-temporal-')), name);
  writeFileSync(path, text);
  return path;
}

/** A client's environment: no HOME, so no profile file is found unless TEMPORAL_CONFIG_FILE names one. */
const client = (env: Record<string, string>) => ({ O365_TENANT_ID: 't', PAYLOAD_KEY: KEY, ...env });

describe('Temporal connection from the SDK environment configuration', () => {
  it('with only TEMPORAL_ADDRESS set, connects exactly as before: plain, no key, no headers', () => {
    const connection = resolveTemporalConnection({ TEMPORAL_ADDRESS: 'temporal.internal:7233' });
    assert.deepEqual(connectionOptions(connection), { address: 'temporal.internal:7233' });
    assert.equal(describeConnection(connection), 'plain');
  });

  it('Temporal Cloud by API key: TLS on, the key passed to the SDK, never in the description', () => {
    const connection = resolveTemporalConnection({ TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'prod.a1b2c', TEMPORAL_API_KEY: API_KEY });
    assert.deepEqual(connectionOptions(connection), { address: 'eu-west-1.aws.api.temporal.io:7233', apiKey: API_KEY, tls: true });
    assert.equal(connection.namespace, 'prod.a1b2c');
    assert.equal(describeConnection(connection), 'TLS, API key');
  });

  it('mutual TLS from TEMPORAL_TLS_* files: client pair, server CA and server name read by the SDK', async () => {
    const certs = await testCertificates();
    const env = {
      TEMPORAL_ADDRESS: 'temporal.example.test:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: tempFile('client.pem', certs.clientCert),
      TEMPORAL_TLS_CLIENT_KEY_PATH: tempFile('client.key', certs.clientKey),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: tempFile('ca.pem', certs.caCert),
      TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal.internal',
    };
    const { tls } = resolveTemporalConnection(env);
    assert.ok(typeof tls === 'object');
    assert.equal(Buffer.from(tls.clientCertPair!.crt).toString(), certs.clientCert);
    assert.equal(Buffer.from(tls.clientCertPair!.key).toString(), certs.clientKey);
    assert.equal(Buffer.from(tls.serverRootCACertificate!).toString(), certs.caCert);
    assert.equal(tls.serverNameOverride, 'frontend.temporal.internal');
    assert.equal(describeConnection(resolveTemporalConnection(env)), 'TLS, mTLS client certificate');
  });

  it('reads a profile of the TOML file; environment variables win over it; the embedded server is reached plainly', () => {
    const file = tempFile('temporal.toml', `[profile.default]\naddress = "a:1"\n\n[profile.prod]\naddress = "prod.temporal:7233"\nnamespace = "collectors"\napi_key = "${API_KEY}"\n`);
    const config = loadConfig(client({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' }), 'client');
    assert.deepEqual([config.temporal.address, config.temporal.namespace, config.temporal.connection?.apiKey], ['prod.temporal:7233', 'collectors', API_KEY]);
    const overridden = loadConfig(client({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'other' }), 'client');
    assert.equal(overridden.temporal.namespace, 'other');
    assert.deepEqual(connectionOptions(config.temporal.connection!, '127.0.0.1:7299'), { address: '127.0.0.1:7299' });
  });

  it('a bad profile or unreadable TLS file is a configuration error naming the setting, never quoting the key', () => {
    const linesOf = (env: Record<string, string>) => {
      try {
        loadConfig(client(env), 'client');
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.lines;
      }
      assert.fail('expected a ConfigError');
    };
    const broken = tempFile('temporal.toml', `[profile.default]\napi_key = "${API_KEY}\n`);
    const [syntax] = linesOf({ TEMPORAL_CONFIG_FILE: broken });
    assert.match(syntax!, /^Temporal connection: .*temporal\.toml: Invalid TOML document: .* \(line 2\)$/);
    assert.ok(!syntax!.includes(API_KEY), syntax);
    assert.deepEqual(linesOf({ TEMPORAL_CONFIG_FILE: broken.replace('temporal.toml', 'none.toml'), TEMPORAL_PROFILE: 'prod' }), [
      `Temporal connection: Profile 'prod' not found in config data (TEMPORAL_PROFILE, ${broken.replace('temporal.toml', 'none.toml')})`,
    ]);
    const [unreadable] = linesOf({ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/nonexistent/client.key' });
    assert.match(unreadable!, /^Temporal connection: cannot read \/nonexistent\/client\.(pem|key) \(ENOENT\); check TEMPORAL_TLS_\*_PATH/);
  });

  it('client and worker reach the real dev server through a profile file alone (no TEMPORAL_ADDRESS)', async () => {
    const env = await temporalTestEnv();
    const file = tempFile('temporal.toml', `[profile.collectors]\naddress = "${env.address}"\nnamespace = "default"\n`);
    const config = loadConfig(client({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'collectors' }), 'client');
    assert.equal(config.temporal.address, env.address);
    const { client: temporal, connection } = await connectClient(config);
    try {
      const { namespaceInfo } = await temporal.workflowService.describeNamespace({ namespace: config.temporal.namespace });
      assert.equal(namespaceInfo?.name, 'default');
    } finally {
      await connection.close();
    }
    const native = await connectWorker(config);
    try {
      const info = await native.workflowService.getSystemInfo({});
      assert.ok(info.capabilities, 'the worker connection answered');
    } finally {
      await native.close();
    }
  });

  it('the worker neither gzips its calls nor asks for gzipped answers: what it carries is compressed already', async () => {
    // A stand-in frontend that records each call's headers and answers with an empty message.
    const calls: IncomingHttpHeaders[] = [];
    const frontend = createServer((req, res) => {
      calls.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/grpc' });
      res.addTrailers({ 'grpc-status': '0' });
      res.end(Buffer.alloc(5)); // one uncompressed gRPC message of 0 bytes
    });
    frontend.listen(0, '127.0.0.1');
    await once(frontend, 'listening');
    const address = `127.0.0.1:${(frontend.address() as AddressInfo).port}`;
    try {
      const headersOf = async (connect: () => Promise<NativeConnection>) => {
        calls.length = 0;
        await (await connect()).close();
        assert.ok(calls.length > 0, 'the connection made a call');
        return calls.map((h) => ({ path: h[':path'], sent: String(h['grpc-encoding'] ?? 'identity'), accepted: String(h['grpc-accept-encoding'] ?? '') }));
      };
      const config = loadConfig(client({ TEMPORAL_ADDRESS: address }), 'client');
      for (const call of await headersOf(() => connectWorker(config))) {
        assert.equal(call.sent, 'identity', `${call.path} was sent compressed`);
        assert.doesNotMatch(call.accepted, /gzip/, `${call.path} asked for gzipped answers`);
      }
      // The SDK's default, for contrast: this check would see gzip if the worker fell back to it.
      const byDefault = await headersOf(() => NativeConnection.connect({ address }));
      assert.ok(byDefault.some((call) => call.sent === 'gzip' && /gzip/.test(call.accepted)), JSON.stringify(byDefault));
    } finally {
      frontend.close();
    }
  });

  it('a connection that fails names the address and how it authenticates, never the API key', async () => {
    const env = await temporalTestEnv();
    // TLS with an API key against the dev server's plain gRPC port: the handshake fails.
    const config = loadConfig(client({ TEMPORAL_ADDRESS: env.address, TEMPORAL_API_KEY: API_KEY }), 'client');
    for (const connect of [() => connectWorker(config), () => connectClient(config)]) {
      const failure = await connect().then(
        () => assert.fail('TLS to a plain server must fail'),
        (err: Error) => err,
      );
      assert.match(failure.message, new RegExp(`^cannot connect to Temporal at ${env.address} \\(TLS, API key\\): `));
      assert.ok(!failure.message.includes(API_KEY), failure.message);
    }
  });
});
