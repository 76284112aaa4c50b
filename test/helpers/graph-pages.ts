import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ServedTenants, type DeadLetterContext } from '../../activities/deps.js';
import { createActivities } from '../../activities/index.js';
import type { PulledPage, PullPageInput } from '../../contracts/activity-io.js';
import type { GraphTraceRecord } from '../../microsoft/records.js';
import type { TimeWindow } from '../../time-windows/index.js';
import type { DevoTransport } from '../../devo/transport.js';
import { devoActivityDeps, TEST_TAG, unusedMicrosoft } from './devo-activity-deps.js';

/** A Graph messageTraces row for `id`, received at `received` (Graph's ISO time, 7 fractional digits). */
export function graphRow(id: string, received: string, subject = 'ok'): GraphTraceRecord {
  return { id, senderAddress: 's@contoso.com', recipientAddress: `${id}@contoso.com`, messageId: `<${id}@contoso.com>`, receivedDateTime: received, subject, size: 1, fromIP: '192.0.2.1', toIP: '192.0.2.2', status: 'delivered' };
}

/** Random text of about `chars` characters that deflate cannot shrink much (base64 of random bytes). */
export function noise(chars: number): string {
  return randomBytes(Math.ceil((chars * 3) / 4)).toString('base64');
}

/**
 * A minimal Graph for rows a test chooses, where the emulator's generated rows will not do (a 3 MB row, a
 * page of rows near Devo's event limit, rows outside the asked window). Answers a token request (POST)
 * with a token, and messageTraces with `rows` newest first, then by recipient, `$top` a page, with an
 * offset skiptoken. With `honourBounds` it applies the filter's `ge`/`le` bounds as Graph does; without,
 * it returns every row whatever the filter asks.
 */
export function graphPages(rows: readonly GraphTraceRecord[], honourBounds: boolean): (req: IncomingMessage, res: ServerResponse) => void {
  const sorted = [...rows].sort((a, b) => (a.receivedDateTime === b.receivedDateTime ? (a.recipientAddress < b.recipientAddress ? -1 : 1) : a.receivedDateTime < b.receivedDateTime ? 1 : -1));
  return (req, res) => {
    if (req.method === 'POST') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: 'stub-token' }));
      return;
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const filter = url.searchParams.get('$filter') ?? '';
    const from = /receivedDateTime ge (\S+)/.exec(filter)?.[1] ?? '';
    const to = /receivedDateTime le (\S+)/.exec(filter)?.[1] ?? '~';
    const top = Number(url.searchParams.get('$top') ?? 100);
    const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
    const matching = honourBounds ? sorted.filter((r) => r.receivedDateTime >= from && r.receivedDateTime <= to) : sorted;
    const next = new URL(url);
    next.searchParams.set('$skiptoken', String(skip + top));
    const more = skip + top < matching.length;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: matching.slice(skip, skip + top), ...(more && { '@odata.nextLink': next.toString() }) }));
  };
}

/** Rows pullPage set aside, and why. */
export interface DeadLetter {
  readonly rows: readonly unknown[];
  readonly context: DeadLetterContext;
}

/** pullPage of `window` against a Graph at `graphUrl` (no Devo), with the dead letters it writes kept in memory. */
const noDevo: DevoTransport = { description: 'none', sendBatch: () => Promise.reject(new Error('no sends here')) };

export function graphPuller(graphUrl: string, window: TimeWindow, accessToken: string) {
  const deadLetters: DeadLetter[] = [];
  const activities = createActivities(
    devoActivityDeps(
      noDevo,
      {
        tenants: new ServedTenants([{ microsoft: unusedMicrosoft('t1', { loginUrl: graphUrl, graphUrl, reportingUrl: graphUrl, start: '1d', pageSize: 100 }), devo: { transport: noDevo, tag: TEST_TAG } }]),
        deadLetter: async (rows, context) => {
          deadLetters.push({ rows, context });
        },
      },
      't1',
    ),
  );
  const pull = (input: Partial<PullPageInput>) =>
    new MockActivityEnvironment().run(activities.pullPage, { tenantId: 't1', source: 'graph' as const, window, pageSize: 100, accessToken, page: 1, ...input }) as Promise<PulledPage>;
  return { pull, deadLetters };
}
