import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'dotenv';

/**
 * The process environment plus an optional `.env` file in the working directory; variables already set
 * in the environment win over the file, as with dotenv.
 */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, file = '.env'): NodeJS.ProcessEnv {
  if (!existsSync(file)) return env;
  return { ...parse(readFileSync(file)), ...env };
}
