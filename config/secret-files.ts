import { readFileSync } from 'node:fs';

/** Secrets that may come from a file instead (compose or Kubernetes secrets): X or X_FILE, not both. */
const SECRETS_FROM_FILES = ['O365_CLIENT_SECRET', 'O365_CLIENT_CERTIFICATE_PASSWORD', 'DEVO_HTTP_TOKEN', 'CODEC_SERVER_TOKEN'] as const;

/** Sets each secret from its X_FILE in `own`; one line per unreadable or empty file, or secret set twice. */
export function readSecretFiles(own: Record<string, string | undefined>): string[] {
  const lines: string[] = [];
  for (const name of SECRETS_FROM_FILES) {
    const file = own[`${name}_FILE`];
    if (!file) continue;
    if (own[name]) {
      lines.push(`${name}_FILE: set either ${name} or ${name}_FILE, not both`);
      continue;
    }
    const value = readSecretFile(file);
    if (value.error) lines.push(`${name}_FILE: ${value.error}`);
    // A stand-in keeps a bad file from also reading as "required"; its line above stops loading anyway.
    own[name] = value.text ?? 'unreadable';
  }
  return lines;
}

function readSecretFile(file: string): { text?: string; error?: string } {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text ? { text } : { error: `${file} is empty` };
  } catch (err) {
    return { error: `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}
