import { existsSync, readFileSync } from 'node:fs';

/**
 * The package's version, from the package.json above client/: beside it when the CLI runs from source
 * through tsx, one level further up when it runs compiled from dist/client/ (as the image does).
 */
export function packageVersion(): string {
  const path = [new URL('../package.json', import.meta.url), new URL('../../package.json', import.meta.url)].find((url) => existsSync(url));
  if (!path) return 'unknown';
  const { version } = JSON.parse(readFileSync(path, 'utf8')) as { version: string };
  return version;
}
