import type { ServerResponse } from 'node:http';
import type { Fault } from './faults.js';
import { jsonReply, send, type ApiRequest, type Reply } from './http.js';
import type { MicrosoftEmulator } from './options.js';

/** The emulator controls the admin endpoints drive. */
export type AdminTarget = Pick<MicrosoftEmulator, 'faults' | 'setPermissions' | 'expireTokens' | 'stats' | 'resetStats' | 'dataset' | 'registerCertificate' | 'addFederatedCredential'>;

/** Path prefix of the admin endpoints; no Microsoft API lives under it. */
export const ADMIN_PREFIX = '/_emulator/';

const noContent: Reply = { status: 204, headers: {}, body: '' };

/**
 * The admin endpoints, so an emulator started from the CLI can be scripted over HTTP like the in-process
 * API: `POST|DELETE|GET /_emulator/faults`, `GET /_emulator/stats`, `POST /_emulator/stats/reset`,
 * `POST /_emulator/permissions`, `POST /_emulator/expire-tokens`, `POST /_emulator/certificates` (a PEM
 * certificate to register on the app), `POST /_emulator/federated-credentials` (JSON: issuer, subject,
 * audience, publicKeyPem), `GET /_emulator/ground-truth[?start=&end=]`
 * (JSON lines). They bypass tokens, quota and faults, and are not counted in the stats.
 */
export async function handleAdmin(req: ApiRequest, res: ServerResponse, target: AdminTarget): Promise<void> {
  const route = `${req.method} ${req.url.pathname.slice(ADMIN_PREFIX.length)}`;
  if (route === 'GET ground-truth') return streamGroundTruth(req, res, target);
  send(res, adminReply(route, req, target));
}

function adminReply(route: string, req: ApiRequest, target: AdminTarget): Reply {
  try {
    switch (route) {
      case 'POST faults':
        target.faults.add(parseJson(req.body) as Fault | Fault[]);
        return jsonReply(200, { pending: target.faults.pending() });
      case 'GET faults':
        return jsonReply(200, { pending: target.faults.pending() });
      case 'DELETE faults':
        target.faults.clear();
        return noContent;
      case 'GET stats':
        return jsonReply(200, target.stats());
      case 'POST stats/reset':
        target.resetStats();
        return noContent;
      case 'POST permissions': {
        const p = parseJson(req.body) as Record<string, unknown>;
        const known = ['graph', 'reporting', 'servicePrincipalProvisioned'];
        const bad = Object.entries(p ?? {}).filter(([k, v]) => !known.includes(k) || typeof v !== 'boolean');
        if (typeof p !== 'object' || p === null || bad.length > 0) throw new RangeError(`permissions take booleans ${known.join(', ')}`);
        target.setPermissions(p);
        return noContent;
      }
      case 'POST certificates':
        if (!req.body.includes('-----BEGIN CERTIFICATE-----')) throw new RangeError('send the certificate as PEM');
        target.registerCertificate(req.body);
        return noContent;
      case 'POST federated-credentials': {
        const f = parseJson(req.body) as Record<string, unknown> | null;
        const text = (k: string) => typeof f?.[k] === 'string' && f[k] !== '';
        if (!text('issuer') || !text('subject') || !text('publicKeyPem') || (f?.audience !== undefined && !text('audience'))) {
          throw new RangeError('a federated credential takes issuer, subject and publicKeyPem (and optionally audience) as strings');
        }
        target.addFederatedCredential(f as unknown as Parameters<AdminTarget['addFederatedCredential']>[0]);
        return noContent;
      }
      case 'POST expire-tokens':
        target.expireTokens();
        return noContent;
      default:
        return jsonReply(404, { error: `no admin endpoint ${route}` });
    }
  } catch (err) {
    if (err instanceof RangeError || err instanceof SyntaxError) return jsonReply(400, { error: err.message });
    throw err;
  }
}

function parseJson(body: string): unknown {
  return JSON.parse(body);
}

/** Ground truth as JSON lines, newest first, written in chunks with backpressure (a million rows is ~400 MB). */
async function streamGroundTruth(req: ApiRequest, res: ServerResponse, target: AdminTarget): Promise<void> {
  const { dataset } = target;
  const start = req.url.searchParams.get('start');
  const end = req.url.searchParams.get('end');
  const asBound = (b: string): string | number => (/^\d+$/.test(b) ? Number(b) : b);
  let rows: Iterable<unknown>;
  try {
    rows = start !== null || end !== null ? dataset.rowsIn(asBound(start ?? '0'), asBound(end ?? String(8.64e15))) : dataset.rows();
  } catch (err) {
    return send(res, jsonReply(400, { error: err instanceof Error ? err.message : String(err) }));
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
  let chunk = '';
  for (const row of rows) {
    chunk += `${JSON.stringify(row)}\n`;
    if (chunk.length < 256_000) continue;
    if (res.destroyed) return;
    if (!res.write(chunk)) await drained(res);
    chunk = '';
  }
  res.end(chunk);
}

/** Resolves when the response can take more, or when the client has gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
