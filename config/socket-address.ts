import { isIP } from 'node:net';

/** An IP literal and port, as the SDK's Prometheus exporter binds (no host names). */
export function isSocketAddress(text: string): boolean {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  if (!match) return false;
  const host = match[1] ?? match[2]!;
  return isIP(host) === (match[1] ? 6 : 4) && Number(match[3]) <= 65535;
}
