/**
 * The baseline of `npm run bench`: the collector's own pull and send code (the activity functions, run
 * in the SDK's MockActivityEnvironment) called in a plain loop, page after page, with no Temporal server.
 * Configured like a worker (environment); the range comes as arguments. Prints one JSON line:
 * { records, pages, seconds, cpuSeconds, peakRssMB }.
 *
 *   npx tsx bench/bare-loop.ts <fromMs> <toMs>
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type CollectorActivities } from '../activities/index.js';
import { loadConfig } from '../config/schema.js';
import { activityDepsFromConfig } from '../worker/activity-deps.js';
import { peakRssMB } from './process-usage.js';

const [fromMs, toMs] = process.argv.slice(2).map(Number);
if (!fromMs || !toMs) throw new Error('usage: bare-loop.ts <fromMs> <toMs>');

const config = loadConfig(process.env, 'worker');
// The loop hands each pulled chunk's bytes straight to the send, so it keeps none in memory: a worker's
// store (for sends that name their pull) would fill with chunks no send ever confirms and forgets.
const activities: CollectorActivities = createActivities({ ...activityDepsFromConfig(config), pulledChunks: undefined });
const env = new MockActivityEnvironment();
/** Runs one activity function as a worker would, with its activity context (heartbeats, cancellation). */
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) => env.run(fn, ...args) as Promise<R>;
const { tenantId, source, pageSize } = config.microsoft;
const window = { startMs: fromMs, endMs: toMs };

const started = performance.now();
const cpuAtStart = process.cpuUsage();
const token = await run(activities.fetchToken, { tenantId, source });
let nextLink: string | undefined;
let records = 0;
let pages = 0;
do {
  const page = await run(activities.pullPage, { tenantId, source, window, pageSize, accessToken: token.accessToken, nextLink, page: pages + 1 });
  const sent = await run(activities.sendToDevo, { tenantId, packed: page.packed, window, page: pages + 1 });
  records += sent.delivered;
  pages++;
  nextLink = page.nextLink;
} while (nextLink);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuAtStart);
console.log(JSON.stringify({ records, pages, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMB: peakRssMB(process.pid) }));
