import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The process-wide structured logger: one JSON line per event, or human-readable lines when stdout is a
 * terminal. `LOG_LEVEL` sets the level [info]. Never pass tokens, secrets or record contents as fields.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  // pino-pretty is a development dependency: production installs log JSON even to a terminal.
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json' && resolvable('pino-pretty');
  return pino({
    name,
    level,
    redact: { paths: ['*.access_token', '*.client_secret', '*.token', '*.secret', '*.authorization'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'UTC:isoDateTime' } } } : {}),
  });
}

function resolvable(module: string): boolean {
  try {
    import.meta.resolve(module);
    return true;
  } catch {
    return false;
  }
}

/** A logger that drops everything, for tests and library code called without one. */
export const silentLogger: Logger = pino({ level: 'silent' });
