/** What the peers saw of each joiner: its look-up, create and group requests, from their request logs. */
import type { Targets } from '../test/harness/targets';
import type { PeerRequest } from '../test/peers/request-log';
import type { Sample } from './joiner-sample';
import { latencyMs } from './options';
import { callsBetween, decode } from './peer-log';

export interface PeerCalls {
  /** Okta: the first GET /api/v1/users/{login} (the engine's "does the account exist" look-up). */
  oktaLookup?: PeerRequest;
  /** Okta: POST /api/v1/users for this login. */
  oktaCreate?: PeerRequest;
  /** Okta: PUT /api/v1/groups/{gid}/users/{id} (the policy grants one group per system). */
  oktaGrant?: PeerRequest;
  scimLookup?: PeerRequest;
  /** SCIM: POST /Users for this userName. */
  scimCreate?: PeerRequest;
  /** SCIM: PATCH /Groups/{id} adding this user as a member. */
  scimGrant?: PeerRequest;
}

export function peerCalls(targets: Targets, oktaLog: PeerRequest[], scimLog: PeerRequest[], s: Sample): PeerCalls {
  const oktaId = targets.okta.user(s.login)?.id;
  const scimId = targets.scim.user(s.login)?.id;
  const after = (r: PeerRequest) => r.at >= s.startAt;
  const body = (r: PeerRequest) => (r.body ?? {}) as { profile?: { login?: string }; userName?: string; Operations?: { value?: { value?: string }[] }[] };
  return {
    oktaLookup: oktaLog.find((r) => after(r) && r.method === 'GET' && decode(r.path) === `/api/v1/users/${s.login}`),
    oktaCreate: oktaLog.find((r) => after(r) && r.method === 'POST' && r.path === '/api/v1/users' && body(r).profile?.login === s.login),
    oktaGrant: oktaLog.find((r) => after(r) && r.method === 'PUT' && r.path.startsWith('/api/v1/groups/') && r.path.endsWith(`/users/${oktaId}`)),
    scimLookup: scimLog.find((r) => after(r) && r.method === 'GET' && r.path.endsWith('/Users') && decode(r.query).includes(`"${s.login}"`)),
    scimCreate: scimLog.find((r) => after(r) && r.method === 'POST' && r.path.endsWith('/Users') && body(r).userName === s.login),
    scimGrant: scimLog.find(
      (r) =>
        after(r) &&
        r.method === 'PATCH' &&
        r.path.includes('/Groups/') &&
        (body(r).Operations ?? []).some((op) => (op.value ?? []).some((m) => m.value === scimId)),
    ),
  };
}

/**
 * The group requests' arrival plus the injected latency: both peers change membership in the
 * handler, which runs only after the latency, so no grant can have been visible earlier.
 */
export function lowerBoundGrantedAt(calls: PeerCalls): number | undefined {
  if (!calls.oktaGrant || !calls.scimGrant) return undefined;
  return Math.max(calls.oktaGrant.at, calls.scimGrant.at) + latencyMs;
}

/** Requests the peers saw between a joiner's start and its observed grants (run alone, so all are its). */
export function callsBeforeGranted(oktaLog: PeerRequest[], scimLog: PeerRequest[], s: Sample): string[] {
  return callsBetween(oktaLog, scimLog, s.login, s.startAt, s.granted.at);
}

/**
 * Per system, the time between one request's answer (arrival + latency) and the next request's
 * arrival, summed over a joiner's requests up to the grant: what the client side (engine or
 * direct connectors) added on top of the peers' latency.
 */
export function clientGapsMs(log: PeerRequest[], s: Sample): number | undefined {
  const mine = log.filter((r) => r.at >= s.startAt && r.at <= s.granted.at).sort((a, b) => a.at - b.at);
  if (mine.length === 0) return undefined;
  let gaps = 0;
  for (let i = 1; i < mine.length; i++) gaps += mine[i]!.at - (mine[i - 1]!.at + latencyMs);
  return gaps;
}
