import { readEnvironment } from './environment.js';
import { ConfigError, loadConfig, type Config, type ConfigPurpose, type LoadOptions } from './schema.js';

/** Settings given as global flags (`--tenant`), which win over the environment for this one command. */
export const flagOverrides: { tenantId?: string } = {};

/** Loads the configuration, or prints one line per bad setting and exits 2. */
export function configOrExit(purpose: ConfigPurpose, options: LoadOptions = {}): Config {
  try {
    const env = readEnvironment();
    return loadConfig(flagOverrides.tenantId ? { ...env, O365_TENANT_ID: flagOverrides.tenantId } : env, purpose, options);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error('o365-trace: invalid configuration');
    for (const line of err.lines) console.error(`  ${line}`);
    process.exit(2);
  }
}
