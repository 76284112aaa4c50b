import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/client';

/**
 * How to reach Temporal: the address and namespace plus what a cluster or Temporal Cloud needs (TLS client
 * certificate, server CA and name, API key, gRPC headers). Resolved by the SDK's own environment
 * configuration, so `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`,
 * `TEMPORAL_GRPC_META_*`, `TEMPORAL_PROFILE` and the `temporal.toml` profile file mean here what they
 * mean to the `temporal` CLI. Holds the API key: never log it.
 */
export interface TemporalConnection {
  readonly address?: string;
  readonly namespace?: string;
  readonly apiKey?: string;
  /** False or absent: plain gRPC; true: TLS with the system's CAs; an object: certificates and server name. */
  readonly tls?: TLSConfig | boolean;
  readonly metadata?: Record<string, string>;
}

/**
 * Reads the connection from the environment (and the profile file it points at). Throws an Error whose
 * message names the setting and never quotes the file: a TOML syntax error would show the line, which
 * may hold the API key.
 */
export function resolveTemporalConnection(env: NodeJS.ProcessEnv): TemporalConnection {
  const vars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  let resolved: ReturnType<typeof loadClientConnectConfig>;
  try {
    resolved = loadClientConnectConfig({ overrideEnvVars: vars });
  } catch (err) {
    throw new Error(describeFailure(err, vars));
  }
  const { address, apiKey, tls, metadata } = resolved.connectionOptions;
  return {
    address: address || undefined,
    namespace: resolved.namespace || undefined,
    apiKey: typeof apiKey === 'string' ? apiKey : undefined,
    tls: tls ?? undefined,
    metadata: metadata && Object.keys(metadata).length > 0 ? (metadata as Record<string, string>) : undefined,
  };
}

/** The connection options for the SDK, for the configured server or, when given, another address (the embedded dev server). */
export function connectionOptions(connection: TemporalConnection, address = connection.address) {
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set (only `o365-trace run` embeds a dev server)');
  // The embedded dev server is local and plain: the cluster's certificates and key are not for it.
  if (address !== connection.address) return { address };
  const { apiKey, tls, metadata } = connection;
  return { address, ...(apiKey !== undefined && { apiKey }), ...(tls !== undefined && { tls }), ...(metadata && { metadata }) };
}

/** Runs `connect`, naming the address and how it authenticates when it fails (never the key itself). */
export async function connectingTo<T>(options: { address: string; apiKey?: unknown; tls?: unknown }, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (err) {
    const how = describeConnection({ apiKey: options.apiKey ? '***' : undefined, tls: options.tls as TemporalConnection['tls'] });
    throw new Error(`cannot connect to Temporal at ${options.address} (${how}): ${(err as Error).message}`, { cause: err });
  }
}

/** How the connection authenticates, for logs: never the key or certificate themselves. */
export function describeConnection(connection: TemporalConnection): string {
  const auth = connection.apiKey ? 'API key' : typeof connection.tls === 'object' && connection.tls.clientCertPair ? 'mTLS client certificate' : undefined;
  const transport = connection.tls ? 'TLS' : 'plain';
  return [transport, auth].filter(Boolean).join(', ');
}

function describeFailure(err: unknown, vars: Record<string, string>): string {
  const error = err as NodeJS.ErrnoException;
  const profileFile = vars.TEMPORAL_CONFIG_FILE ?? 'the temporal.toml profile file';
  if (error.code === 'ENOENT' || error.code === 'EACCES') {
    // A TLS file named by TEMPORAL_TLS_* or by the profile: the path is safe to show, the content is not read.
    return `cannot read ${error.path ?? 'a file'} (${error.code}); check TEMPORAL_TLS_*_PATH and ${profileFile}`;
  }
  if (/^Profile '.*' not found/.test(error.message ?? '')) return `${error.message.split('\n')[0]} (TEMPORAL_PROFILE, ${profileFile})`;
  // Only the first line: smol-toml's later lines quote the file around the error.
  const line = (error as { line?: number }).line;
  return `${profileFile}: ${(error.message ?? String(err)).split('\n')[0]}${line ? ` (line ${line})` : ''}`;
}
