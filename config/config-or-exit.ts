import { ConfigError, loadConfig, type Config, type ConfigPurpose } from './schema.js';
import { readEnvironment } from './environment.js';

/** Loads the configuration, or prints one line per bad setting and exits 2. */
export function configOrExit(purpose: ConfigPurpose): Config {
  try {
    return loadConfig(readEnvironment(), purpose);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error('o365-trace: invalid configuration');
    for (const line of err.lines) console.error(`  ${line}`);
    process.exit(2);
  }
}
