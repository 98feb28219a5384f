/** Reading the peers' request logs: decoding, and what one worker's requests looked like. */
import type { PeerRequest } from '../test/peers/request-log';

export function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A request in a readable, comparable shape: the worker's login and the systems' IDs replaced by placeholders. */
function shape(system: string, login: string, r: PeerRequest): string {
  const path = decode(r.path)
    .replaceAll(login, '{login}')
    .replace(/\/(Users|Groups)\/[0-9a-f-]{36}/g, '/$1/{id}')
    .replace(/\/users\/00u\w+/g, '/users/{id}')
    .replace(/\/groups\/00g\w+/g, '/groups/{gid}');
  return `${system} ${r.method} ${path}${r.query ? `?${decode(r.query).replaceAll(login, '{login}')}` : ''}`;
}

/** Requests the peers saw between two moments (a worker run alone, so all are its), in a readable shape. */
export function callsBetween(oktaLog: PeerRequest[], scimLog: PeerRequest[], login: string, from: number, to: number): string[] {
  const inWindow = (r: PeerRequest) => r.at >= from && r.at <= to;
  return [...oktaLog.filter(inWindow).map((r) => shape('okta', login, r)), ...scimLog.filter(inWindow).map((r) => shape('scim', login, r))];
}
