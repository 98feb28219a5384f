/** What the peers saw of each leaver: its look-up and kill requests, from their request logs. */
import type { Targets } from '../test/harness/targets';
import type { PeerRequest } from '../test/peers/request-log';
import type { Sample } from './leaver-sample';
import { latencyMs } from './options';
import { callsBetween, decode } from './peer-log';

export interface PeerCalls {
  oktaLookup?: PeerRequest;
  oktaKill?: PeerRequest;
  scimLookup?: PeerRequest;
  scimKill?: PeerRequest;
}

export function peerCalls(targets: Targets, oktaLog: PeerRequest[], scimLog: PeerRequest[], s: Sample): PeerCalls {
  const oktaId = targets.okta.user(s.login)?.id;
  const scimId = targets.scim.user(s.login)?.id;
  const after = (r: PeerRequest) => r.at >= s.startAt;
  return {
    oktaLookup: oktaLog.find((r) => after(r) && r.method === 'GET' && decode(r.path) === `/api/v1/users/${s.login}`),
    oktaKill: oktaLog.find((r) => after(r) && r.method === 'DELETE' && r.path === `/api/v1/users/${oktaId}/sessions`),
    scimLookup: scimLog.find((r) => after(r) && r.method === 'GET' && r.path.endsWith('/Users') && decode(r.query).includes(`"${s.login}"`)),
    scimKill: scimLog.find((r) => after(r) && r.method === 'PATCH' && r.path.endsWith(`/Users/${scimId}`)),
  };
}

/** The kill requests' arrival plus the injected latency: no kill can have happened earlier. */
export function lowerBoundKilledAt(calls: PeerCalls): number | undefined {
  if (!calls.oktaKill || !calls.scimKill) return undefined;
  return Math.max(calls.oktaKill.at, calls.scimKill.at) + latencyMs;
}

/** Requests the peers saw between a leaver's start and its observed kill (run alone, so all are its). */
export function callsBeforeKill(oktaLog: PeerRequest[], scimLog: PeerRequest[], s: Sample): string[] {
  return callsBetween(oktaLog, scimLog, s.login, s.startAt, s.killed.at);
}
