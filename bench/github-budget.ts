/**
 * What the engine's GitHub leavers cost at the GitHub peer, against GitHub's secondary limit
 * (points a minute: a GET or a GraphQL query 1, a write 5): requests and points per leaver, and the
 * busiest minute. The benchmark's baseline calls use the same token, so the peer's busiest minute
 * for everyone is given apart from the engine's own.
 */
import { githubPointsOf } from '../src/connectors/github/rate-limits';
import type { PeerRequest } from '../test/peers/request-log';
import { githubLoginFor } from '../test/harness/pairs/github';

export interface LeaverWindow {
  /** The engine leaver's work email; its GitHub login is derived as the peer derives it. */
  engineLogin: string;
  baselineLogin: string;
  /** The engine leaver's POST, and the baseline's start: requests naming no one fall to the phase they came in. */
  startAt: number;
  directStart: number;
  /** Past the warm-up: counted. */
  measured: boolean;
}

const namesOf = (email: string) => [email, githubLoginFor(email)];

/** The busiest 60 s of points among these requests. */
function busiestMinute(requests: { at: number; points: number }[]): number {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  let best = 0;
  let sum = 0;
  let from = 0;
  for (const r of sorted) {
    sum += r.points;
    while (sorted[from]!.at <= r.at - 60_000) sum -= sorted[from++]!.points;
    best = Math.max(best, sum);
  }
  return best;
}

export function githubBudgetSeen(requests: readonly PeerRequest[], windows: readonly LeaverWindow[]) {
  const leavers = windows.filter((w) => w.measured);
  const engineNames = new Set(leavers.flatMap((l) => namesOf(l.engineLogin)));
  const everyone = new Set(windows.flatMap((l) => [...namesOf(l.engineLogin), ...namesOf(l.baselineLogin)]));
  const engineRequest = (r: PeerRequest): boolean => {
    const text = `${r.path} ${decodeURIComponent(r.query)} ${JSON.stringify((r.body as { variables?: unknown } | undefined)?.variables ?? '')}`;
    const named = text.match(/[A-Za-z0-9.@-]+/g) ?? [];
    if (named.some((n) => engineNames.has(n))) return true;
    // Naming a baseline or warm-up worker: not a measured engine leaver's.
    if (named.some((n) => everyone.has(n))) return false;
    return leavers.some((l) => r.at >= l.startAt && r.at < l.directStart);
  };
  const since = leavers[0]?.startAt ?? 0;
  const all = requests.filter((r) => r.at >= since).map((r) => ({ ...r, points: githubPointsOf(r.method, r.path), engine: engineRequest(r) }));
  const engine = all.filter((r) => r.engine);
  const n = Math.max(1, leavers.length);
  return {
    engineRequestsPerLeaver: Math.round((engine.length / n) * 100) / 100,
    engineGraphqlPerLeaver: Math.round((engine.filter((r) => r.path === '/graphql').length / n) * 100) / 100,
    enginePointsPerLeaver: Math.round((engine.reduce((s, r) => s + r.points, 0) / n) * 100) / 100,
    engineBusiestMinutePoints: busiestMinute(engine),
    everyoneBusiestMinutePoints: busiestMinute(all),
    githubLimitPointsPerMinute: 900,
  };
}
