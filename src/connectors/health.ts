/**
 * A connected system's health as an operator reads it: reachable, credentials accepted, and the
 * permissions the engine's work needs granted (scopes, roles, consent), one clear line per
 * problem. `jml doctor` prints it; `/healthz` reports it per system, cached so a load balancer's
 * polling never spends a vendor's rate limit.
 */
import { ConnectorError } from './errors';
import type { Connector } from './types';

export interface SystemHealth {
  system: string;
  type: string;
  location: string;
  problems: string[];
}

export async function checkSystem(connector: Connector): Promise<SystemHealth> {
  const base = { system: connector.id, type: connector.type, location: connector.location };
  try {
    await connector.checkAccess();
  } catch (err) {
    return { ...base, problems: [accessProblem(connector, err)] };
  }
  if (!connector.checkPermissions) return { ...base, problems: [] };
  try {
    return { ...base, problems: await connector.checkPermissions() };
  } catch (err) {
    return { ...base, problems: [`${connector.id}: permissions could not be checked: ${(err as Error).message}`] };
  }
}

function accessProblem(connector: Connector, err: unknown): string {
  if (!(err instanceof ConnectorError)) return `${connector.id}: check failed: ${(err as Error).message}`;
  switch (err.code) {
    case 'unauthorized':
      return `${connector.id}: credentials refused (${err.message})`;
    case 'rate_limited':
      return `${connector.id}: reachable, but rate limited now (${err.message})`;
    default:
      return `${connector.id}: not reachable as ${connector.type} at ${connector.location} (${err.message})`;
  }
}

/** The last result for `ttlMs`; concurrent callers share one check in flight. */
export function cachedSystemCheck(connector: Connector, ttlMs = 60_000, now: () => number = Date.now): () => Promise<SystemHealth> {
  let last: { at: number; health: SystemHealth } | undefined;
  let pending: Promise<SystemHealth> | undefined;
  return () => {
    if (last && now() - last.at < ttlMs) return Promise.resolve(last.health);
    pending ??= checkSystem(connector)
      .then((health) => {
        last = { at: now(), health };
        return health;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
