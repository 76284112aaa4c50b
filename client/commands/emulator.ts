import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { formatDuration, parseDuration } from '../../config/durations.js';
import { startMicrosoftEmulator, type MicrosoftEmulatorOptions } from '../../emulator/microsoft-365/index.js';
import { createLogger } from '../../logging/logger.js';

interface Flags {
  host: string;
  port: string;
  records: string;
  span: string;
  seed: string;
  clientId?: string;
  clientSecret?: string;
  clientSecretFile?: string;
  quota: string;
  future?: string;
  tokenLifetime: string;
  visibility: string;
}

/** The emulator settings the flags describe, and a one-line summary of the data for the banner. */
export interface EmulatorPlan {
  readonly options: MicrosoftEmulatorOptions;
  readonly summary: string;
}

/**
 * Reads the flags into emulator options at `nowMs`; returns one problem line per bad flag instead.
 * `--future` keeps generating rows past now at the `--records`/`--span` rate, so a live demo keeps
 * receiving mail as those rows become visible.
 */
export function emulatorPlan(flags: Flags, nowMs: number): EmulatorPlan | { problems: string[] } {
  const problems: string[] = [];
  const whole = (value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max) return Number(value);
    problems.push(`${flag}: expected a whole number ${min}-${max}, got ${JSON.stringify(value)}`);
    return 0;
  };
  const duration = (value: string | undefined, flag: string): number => {
    if (value === undefined) return 0;
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) problems.push(`${flag}: expected a duration such as 30s, 5m, 2h or 7d, got ${JSON.stringify(value)}`);
    return ms ?? 0;
  };
  const port = whole(flags.port, '--port', 0, 65_535);
  const records = whole(flags.records, '--records', 0, 50_000_000);
  const seed = whole(flags.seed, '--seed', 0, 2 ** 32 - 1);
  const spanMs = duration(flags.span, '--span');
  const futureMs = duration(flags.future, '--future');
  const lifetimeSeconds = Math.round(duration(flags.tokenLifetime, '--token-lifetime') / 1000);
  if (flags.tokenLifetime && lifetimeSeconds < 1 && parseDuration(flags.tokenLifetime)) problems.push('--token-lifetime: must be at least 1s');
  const quota = /^(\d+)(?:\/(.+))?$/.exec(flags.quota);
  const quotaWindowMs = quota?.[2] === undefined ? 300_000 : parseDuration(quota[2]);
  if (!quota || !quotaWindowMs) problems.push(`--quota: expected requests per 5 minutes (0 = off) or N/<duration>, got ${JSON.stringify(flags.quota)}`);
  if (!['immediate', 'realistic'].includes(flags.visibility)) problems.push(`--visibility: expected immediate or realistic, got ${JSON.stringify(flags.visibility)}`);
  if (!flags.clientId) problems.push('--client-id: required (the only app id the token endpoints accept)');
  if (!flags.clientSecret) problems.push('--client-secret: required (the only secret the token endpoints accept)');
  if (flags.host.trim() === '') problems.push('--host: expected a listen address');
  if (problems.length > 0) return { problems };

  const futureRows = Math.round((records * futureMs) / spanMs);
  const quotaRequests = Number(quota![1]);
  const options: MicrosoftEmulatorOptions = {
    host: flags.host,
    port,
    clientId: flags.clientId!,
    clientSecret: flags.clientSecret!,
    tokenLifetimeSeconds: lifetimeSeconds,
    quota: quotaRequests === 0 ? null : { requests: quotaRequests, windowMs: quotaWindowMs! },
    dataset: {
      seed,
      records: records + futureRows,
      startMs: nowMs - spanMs,
      endMs: nowMs + futureMs,
      visibility: flags.visibility === 'immediate' ? { kind: 'immediate' } : { kind: 'realistic' },
      edgeRowsEveryMs: 300_000,
    },
    logger: createLogger('microsoft-365-emulator'),
  };
  const future = futureRows > 0 ? ` (+${futureRows} more over the next ${formatDuration(futureMs)})` : '';
  const quotaText = quotaRequests === 0 ? 'quota off' : `quota ${quotaRequests} per ${formatDuration(quotaWindowMs!)}`;
  return { options, summary: `${records} rows over ${formatDuration(spanMs)}${future}, seed ${seed}, ${quotaText}, visibility ${flags.visibility}` };
}

/**
 * `o365-trace emulator`: the Microsoft 365 emulator on its own, for the collector or any other client
 * (token endpoints, Graph, RWS on one origin). Scriptable over `/_emulator/*`. Runs until SIGINT or SIGTERM.
 */
export function emulatorCommand(): Command {
  return new Command('emulator')
    .description('run the Microsoft 365 emulator: Entra ID tokens, Graph messageTraces and the Reporting Web Service over seeded data')
    .option('--host <address>', 'listen address', '127.0.0.1')
    .option('--port <port>', 'listen port (0: any free port)', '8480')
    .option('--records <n>', 'rows (one per message and recipient) over the span', '50000')
    .option('--span <duration>', 'how far back the data reaches from now', '2h')
    .option('--seed <n>', 'seed of the generated data', '7')
    .option('--client-id <id>', 'the app (client) id the token endpoints accept')
    .option('--client-secret <secret>', 'the client secret the token endpoints accept')
    .option('--client-secret-file <path>', 'file holding that client secret, instead of --client-secret')
    .option('--quota <n[/duration]>', 'Graph and RWS requests per tenant per 5 minutes; 0 = off', '100')
    .option('--future <duration>', 'keep generating rows this far past now, at the same rate (live demo)')
    .option('--token-lifetime <duration>', 'lifetime of issued tokens', '3599s')
    .option('--visibility <mode>', 'immediate, or realistic (rows appear 5-10 min late, 3% up to 6 h)', 'realistic')
    .exitOverride(exitOnParseError)
    .action(async (flags: Flags) => {
      if (flags.clientSecretFile && !flags.clientSecret) flags.clientSecret = readFileSync(flags.clientSecretFile, 'utf8').trim();
      const plan = emulatorPlan(flags, Date.now());
      if ('problems' in plan) {
        for (const line of plan.problems) console.error(`o365-trace emulator: ${line}`);
        process.exit(2);
      }
      const emulator = await startMicrosoftEmulator(plan.options);
      // The secret is never printed: whoever started the emulator knows it.
      console.log(`Microsoft 365 emulator on ${emulator.url} (any tenant id; client id ${plan.options.clientId}, secret as given): ${plan.summary}`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      await emulator.close();
    });
}

/** Commander already printed its one line; a bad flag is a configuration error, exit 2 (help: 0). */
function exitOnParseError(err: CommanderError): never {
  process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.exitCode === 0 ? 0 : 2);
}
