import { readFileSync } from 'node:fs';

/** The package's version, from package.json beside client/ (the CLI runs from source through tsx). */
export function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return version;
}
