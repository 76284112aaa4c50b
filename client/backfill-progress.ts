import cliProgress from 'cli-progress';
import type { BackfillAccepted } from '../workflows/backfill.js';
import type { CollectorStatus } from '../workflows/state.js';
import { formatCount, formatTime } from './format.js';

/** How far one backfill request got: its accepted range less what of it is still pending. */
export interface RequestProgress {
  /** 0..1 of this request alone. */
  readonly fraction: number;
  readonly totalMs: number;
  readonly remainingMs: number;
}

/**
 * The progress of one request, from the range the update accepted and the ranges still pending. The
 * status's own `progress` counts every backfill since the collector started (its delivered time is
 * cumulative), so a second request would open near 100%; this one starts at 0% for each request.
 */
export function requestProgress(accepted: BackfillAccepted, status: CollectorStatus): RequestProgress {
  const [from, to] = [Date.parse(accepted.from), Date.parse(accepted.to)];
  const totalMs = Math.max(0, to - from);
  const remainingMs = (status.backfill?.pending ?? []).reduce((sum, r) => sum + Math.max(0, Math.min(to, Date.parse(r.to)) - Math.max(from, Date.parse(r.from))), 0);
  return { fraction: totalMs === 0 ? 1 : 1 - remainingMs / totalMs, totalMs, remainingMs };
}

/** Shows one request's progress: a bar with rate and ETA on a terminal, a line per poll elsewhere. */
export interface BackfillProgressView {
  update(status: CollectorStatus): void;
  stop(): void;
}

/** Progress in thousandths, so the bar's value/total and its ETA move smoothly. */
const STEPS = 1000;

export function backfillProgressView(accepted: BackfillAccepted, out: NodeJS.WriteStream = process.stdout): BackfillProgressView {
  let firstRecords: number | undefined;
  const startedAt = Date.now();
  const payload = (status: CollectorStatus) => {
    firstRecords ??= status.totals.records;
    const records = status.totals.records - firstRecords;
    const seconds = Math.max(1, (Date.now() - startedAt) / 1000);
    return { records: formatCount(records), rate: formatCount(Math.round(records / seconds)) };
  };
  const range = `${formatTime(accepted.from)} .. ${formatTime(accepted.to)}`;
  if (!out.isTTY) {
    return {
      update(status) {
        const p = requestProgress(accepted, status);
        const { records, rate } = payload(status);
        out.write(`backfill ${range}: ${(p.fraction * 100).toFixed(1)}%, ${records} records (${rate}/s)\n`);
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: out,
      format: 'backfill [{bar}] {percentage}% | {records} records, {rate}/s | ETA {eta_formatted}',
      hideCursor: true,
      // ETA from the last minute or so of 2-second polls, so one slow page does not swing it.
      etaBuffer: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(status) {
      const value = Math.round(requestProgress(accepted, status).fraction * STEPS);
      if (!started) bar.start(STEPS, value, payload(status));
      else bar.update(value, payload(status));
      started = true;
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
