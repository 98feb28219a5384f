import { clientTracingInterceptors } from '../tracing/temporal-tracing';
import { Client, Connection, type DataConverter } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';

export interface TemporalTarget {
  address: string;
  namespace: string;
  options: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
}

/**
 * Connection settings from Temporal's own environment configuration (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings, profiles), so a self-hosted cluster or
 * Temporal Cloud works unchanged. `address` overrides the environment (embedded dev server).
 */
export function temporalTarget(defaults: { namespace: string }, address?: string): TemporalTarget {
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  if (address) env.TEMPORAL_ADDRESS = address;
  const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars: env });
  return {
    address: connectionOptions.address ?? '127.0.0.1:7233',
    namespace: namespace ?? defaults.namespace,
    options: connectionOptions,
  };
}

/**
 * gRPC waits longer and longer (up to 2 minutes) between reconnection attempts while a server is
 * away, so after a long Temporal outage the API would go on failing for a while after Temporal is
 * back. Capped at 2 s, the stored events are handed over within seconds of its return.
 */
const reconnectPromptly = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 2000 };

/** `dataConverter`: from `dataConverterFor(env)`, so payloads are encrypted when a key is set. */
export async function connectClient(target: TemporalTarget, dataConverter?: DataConverter): Promise<Client> {
  const { tls, apiKey, metadata } = target.options;
  const connection = await Connection.connect({ address: target.address, tls, apiKey, metadata, channelArgs: reconnectPromptly });
  return new Client({ connection, namespace: target.namespace, dataConverter, interceptors: clientTracingInterceptors() });
}

/**
 * A client that does not wait for Temporal: the connection is made on first use and remade
 * by gRPC whenever Temporal comes back. `jml server` uses it so that it starts, and takes
 * webhooks, while Temporal is unreachable.
 */
export function lazyClient(target: TemporalTarget, dataConverter?: DataConverter): Client {
  const { tls, apiKey, metadata } = target.options;
  const connection = Connection.lazy({ address: target.address, tls, apiKey, metadata, channelArgs: reconnectPromptly });
  return new Client({ connection, namespace: target.namespace, dataConverter, interceptors: clientTracingInterceptors() });
}

export function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({ ...target.options, address: target.address });
}
