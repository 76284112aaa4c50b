import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../logging/logger.js';
import { handleAdmin } from './admin.js';
import { AssertionVerifier } from './client-assertions.js';
import type { ApiContext, Permissions } from './context.js';
import { generateDataset } from './dataset.js';
import { cannedReply, isCanned, notFound, truncatedReply } from './fault-replies.js';
import { FaultScript, type FaultClaim, type FaultEndpoint } from './faults.js';
import { handleGraph } from './graph.js';
import { BodyTooLargeError, jsonReply, readBody, requestUrl, send, type ApiRequest, type Reply } from './http.js';
import { handleTokenRequest, type IdentityContext } from './identity.js';
import type { MicrosoftEmulator, MicrosoftEmulatorOptions } from './options.js';
import { DEFAULT_QUOTA, RollingQuota } from './quota.js';
import { handleReporting } from './reporting.js';
import { expectedMethod, routeOf, type Route } from './routes.js';
import { StatsRecorder } from './stats.js';
import { TokenStore } from './tokens.js';
import { TraceDataset } from './trace-dataset.js';

/**
 * Starts the Microsoft 365 emulator: Entra ID token endpoints, Graph messageTraces and the Reporting Web
 * Service MessageTrace report on one `node:http` origin, serving a seeded dataset with Microsoft's
 * limits, quirks and scripted faults .
 */
export async function startMicrosoftEmulator(options: MicrosoftEmulatorOptions): Promise<MicrosoftEmulator> {
  if (!options.clientId || !options.clientSecret) throw new RangeError('the emulator needs a clientId and a clientSecret');
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const dataset = options.dataset instanceof TraceDataset ? options.dataset : generateDataset(options.dataset);
  const tokens = new TokenStore(now);
  const faults = new FaultScript(now);
  const stats = new StatsRecorder();
  const permissions: Permissions = {
    graph: options.graphPermission ?? true,
    reporting: options.reportingPermission ?? true,
    servicePrincipalProvisioned: options.servicePrincipalProvisioned ?? true,
  };
  const api: ApiContext = {
    dataset,
    tokens,
    quota: new RollingQuota(options.quota === undefined ? DEFAULT_QUOTA : options.quota),
    permissions,
    now,
    reportingMaxAgeDays: options.reportingMaxAgeDays ?? 10,
    reportingNextLink: options.reportingNextLink ?? 'relative',
  };
  const assertions = new AssertionVerifier();
  for (const pem of options.clientCertificates ?? []) assertions.registerCertificate(pem);
  for (const credential of options.federatedCredentials ?? []) assertions.registerFederatedCredential(credential);
  const identity: IdentityContext = { clientId: options.clientId, clientSecret: options.clientSecret, assertions, tokens, lifetimeSeconds: options.tokenLifetimeSeconds ?? 3599, now };
  const timers = new Set<NodeJS.Timeout>();
  let origin = '';

  const emulator: MicrosoftEmulator = {
    get url() {
      return origin;
    },
    dataset,
    faults,
    setPermissions(p) {
      for (const key of ['graph', 'reporting', 'servicePrincipalProvisioned'] as const) if (p[key] !== undefined) permissions[key] = p[key];
    },
    registerCertificate: (pem) => assertions.registerCertificate(pem),
    addFederatedCredential: (credential) => assertions.registerFederatedCredential(credential),
    expireTokens: () => tokens.expireAll(),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    close: () => close(),
  };

  async function answer(req: ApiRequest, res: ServerResponse, route: Route): Promise<void> {
    const endpoint: FaultEndpoint | undefined = route.kind === 'unknown' ? route.endpoint : route.kind === 'admin' ? undefined : route.kind;
    const method = expectedMethod(route);
    if (route.kind === 'unknown' || (method && req.method !== method)) {
      const reply = route.kind === 'unknown' ? notFound(req.url.pathname) : jsonReply(405, { error: { code: 'MethodNotAllowed', message: `${req.method} is not supported here.` } });
      return finish(res, endpoint ?? 'other', reply);
    }
    const claim = faults.match(endpoint!);
    const fault = claim?.fault;
    if (claim && fault && fault.kind !== 'double-encoded-skiptoken') claim.consume();
    if (fault && isCanned(fault.kind)) return finish(res, endpoint!, cannedReply({ ...fault, kind: fault.kind }, endpoint!, req, now()), true);
    if (fault?.kind === 'hang') return; // the socket stays open until the client gives up or close() drops it
    if (fault?.kind === 'slow') await delay(fault.delayMs ?? 1000);
    if (fault?.kind === 'expire-tokens') tokens.expireAll();
    const reply = await handle(req, route, fault?.kind === 'double-encoded-skiptoken' ? claim : undefined);
    if (fault?.kind === 'malformed-json') return finish(res, endpoint!, truncatedReply(reply), true);
    finish(res, endpoint!, reply);
  }

  function handle(req: ApiRequest, route: Route, doubleEncode?: FaultClaim): Reply | Promise<Reply> {
    if (route.kind === 'token') return handleTokenRequest(req, route.tenant, route.version, identity);
    if (route.kind === 'graph') return handleGraph(req, route.version, api, doubleEncode);
    return handleReporting(req, api);
  }

  function finish(res: ServerResponse, endpoint: string, reply: Reply, faulted = false): void {
    stats.record(endpoint, reply.status, faulted ? undefined : reply.rows);
    send(res, reply);
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    try {
      const url = requestUrl(req, origin);
      const request: ApiRequest = { method: req.method ?? 'GET', url, headers: req.headers, body: await readBody(req) };
      const route = routeOf(url.pathname);
      if (route.kind === 'admin') await handleAdmin(request, res, emulator);
      else await answer(request, res, route);
      logger.debug({ method: req.method, path: url.pathname, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'microsoft 365 emulator request');
    } catch (err) {
      logger.warn({ err, path: req.url?.split('?')[0] }, 'microsoft 365 emulator request failed');
      const status = err instanceof BodyTooLargeError ? 413 : 500;
      if (!res.headersSent) send(res, jsonReply(status, { error: { code: 'EmulatorError', message: err instanceof Error ? err.message : String(err) } }));
    }
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => void onRequest(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  async function close(): Promise<void> {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Hanging requests and idle keep-alive sockets would otherwise hold close() open.
    server.closeAllConnections();
    await closed;
  }

  return emulator;
}
