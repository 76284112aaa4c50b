/**
 * How fast the Microsoft 365 emulator serves pages: 200,000 rows, quota off, page size 1000, one client
 * following next links one page at a time (as the collector does). The goal is ≥ 50,000 records/s on
 * one core, so that emulator time never dominates a workflow test.
 *
 *   npx tsx bench/emulator-throughput.ts [rows]
 */
import { startMicrosoftEmulator, type MicrosoftEmulator } from '../emulator/microsoft-365/index.js';

const ROWS = Number(process.argv[2] ?? 200_000);
const PAGE = 1000;
const HOUR = 3_600_000;

async function token(emulator: MicrosoftEmulator, form: Record<string, string>, v2: boolean): Promise<string> {
  const response = await fetch(`${emulator.url}/bench/oauth2/${v2 ? 'v2.0/' : ''}token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'bench', client_secret: 'bench-secret', ...form }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Follows next links from `first` and returns the rows read; `rows` and `next` read one page's body. */
async function pageThrough(first: string, headers: Record<string, string>, read: (body: Record<string, unknown>) => { rows: number; next?: string }): Promise<number> {
  let total = 0;
  for (let url: string | undefined = first; url; ) {
    const response = await fetch(url, { headers });
    if (response.status !== 200) throw new Error(`${response.status} from ${new URL(url).pathname}: ${await response.text()}`);
    const page = read((await response.json()) as Record<string, unknown>);
    total += page.rows;
    url = page.next === undefined ? undefined : new URL(page.next, url).toString();
  }
  return total;
}

async function measure(name: string, run: () => Promise<number>): Promise<void> {
  const started = performance.now();
  const rows = await run();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${name}: ${rows} records in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds)} records/s`);
}

async function main(): Promise<void> {
  const now = Date.now();
  const generated = performance.now();
  const emulator = await startMicrosoftEmulator({
    clientId: 'bench',
    clientSecret: 'bench-secret',
    quota: null,
    dataset: { seed: 1, records: ROWS, startMs: now - 9 * HOUR, endMs: now - HOUR, visibility: { kind: 'immediate' }, statusSettleMs: 0 },
  });
  console.log(`emulator with ${emulator.dataset.size} rows ready in ${Math.round(performance.now() - generated)} ms`);
  const from = new Date(now - 10 * HOUR).toISOString();
  const to = new Date(now - HOUR).toISOString();
  try {
    const graph = await token(emulator, { scope: `${emulator.url}/.default` }, true);
    await measure('Graph messageTraces', () =>
      pageThrough(
        `${emulator.url}/v1.0/admin/exchange/tracing/messageTraces?$filter=${encodeURIComponent(`receivedDateTime ge ${from} and receivedDateTime le ${to}`)}&$top=${PAGE}`,
        { authorization: `Bearer ${graph}` },
        (body) => ({ rows: (body.value as unknown[]).length, next: body['@odata.nextLink'] as string | undefined }),
      ),
    );
    const reporting = await token(emulator, { resource: 'https://outlook.office365.com' }, false);
    await measure('RWS MessageTrace (JSON light)', () =>
      pageThrough(
        `${emulator.url}/ecp/reportingwebservice/reporting.svc/MessageTrace?$filter=${encodeURIComponent(`StartDate eq datetime'${from}' and EndDate eq datetime'${to}'`)}&$top=${PAGE}`,
        { authorization: `Bearer ${reporting}`, accept: 'application/json' },
        (body) => ({ rows: (body.value as unknown[]).length, next: body['odata.nextLink'] as string | undefined }),
      ),
    );
    console.log(`served: ${JSON.stringify(emulator.stats())}`);
  } finally {
    await emulator.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
