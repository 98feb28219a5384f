import type { Targets } from '../test/harness/targets';
import { summarise, type Summary } from './stats';

/** When a watched condition was first seen in each system. */
export interface Seen {
  /** Epoch ms of the first poll that saw the Okta peer's condition hold. */
  oktaAt: number;
  /** Epoch ms of the first poll that saw the SCIM server's condition hold. */
  scimAt: number;
  /** The condition holds in every system: the later of the two. */
  at: number;
}

/** The state to wait for in each peer, read from the peers' in-memory state (no HTTP). */
export interface Conditions {
  /** What is awaited, for the timeout message. */
  what: string;
  okta(targets: Targets): boolean;
  scim(targets: Targets): boolean;
}

interface Pending {
  conditions: Conditions;
  oktaAt?: number;
  scimAt?: number;
  deadline: number;
  resolve(s: Seen): void;
  reject(err: Error): void;
}

/**
 * Observes, from outside the engine, the moment a condition holds in both target systems by
 * polling the peers' state on one timer shared by every watched worker. Both peers apply their
 * latency before the handler runs, then change the state and send the response in the same
 * tick, so a state change is the moment its response leaves the peer; a poll sees it at most one
 * interval (plus event-loop delay) later. The same watch times the engine and the baseline.
 */
export class PeerWatch {
  private readonly pending = new Set<Pending>();
  private timer: NodeJS.Timeout | undefined;
  /** Time spent inside the poll itself, to show its cost next to the figures. */
  pollCpuMs = 0;
  polls = 0;

  constructor(
    private readonly targets: Targets,
    readonly everyMs = 5,
  ) {}

  /** Resolves when both conditions have been seen (each is recorded the first time it holds). */
  until(conditions: Conditions, timeoutMs = 60_000): Promise<Seen> {
    return new Promise<Seen>((resolve, reject) => {
      this.pending.add({ conditions, deadline: Date.now() + timeoutMs, resolve, reject });
      this.timer ??= setInterval(() => this.poll(), this.everyMs);
    });
  }

  private poll(): void {
    const started = performance.now();
    const now = Date.now();
    this.polls++;
    for (const p of this.pending) {
      if (p.oktaAt === undefined && p.conditions.okta(this.targets)) p.oktaAt = now;
      if (p.scimAt === undefined && p.conditions.scim(this.targets)) p.scimAt = now;
      if (p.oktaAt !== undefined && p.scimAt !== undefined) {
        this.pending.delete(p);
        p.resolve({ oktaAt: p.oktaAt, scimAt: p.scimAt, at: Math.max(p.oktaAt, p.scimAt) });
      } else if (now > p.deadline) {
        this.pending.delete(p);
        p.reject(new Error(`${p.conditions.what} not seen in every system within the deadline (okta ${p.oktaAt ? 'done' : 'not yet'}, scim ${p.scimAt ? 'done' : 'not yet'})`));
      }
    }
    if (this.pending.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.pollCpuMs += performance.now() - started;
  }
}

/** Starts a watch whose early failure is reported where it is awaited, not as an unhandled rejection. */
export function watching(watch: PeerWatch, conditions: Conditions): Promise<Seen> {
  const seen = watch.until(conditions);
  seen.catch(() => undefined);
  return seen;
}

/** One worker's watched moment beside the earliest moment the peers' request logs allow for it. */
export interface LogPoint {
  startAt: number;
  /** When the poll saw the condition in every system. */
  seenAt: number;
  /** The last request that makes the condition true arrived at this time + the peers' latency; undefined when not found. */
  lowerBound: number | undefined;
}

/**
 * Checks the watch against the request logs: the time to the lower bound (no state change can
 * come before a request's arrival plus the injected latency), and how much later the poll saw it.
 */
export function againstRequestLog(points: LogPoint[]): { fromRequestLogMs: Summary; pollDelayMs: Summary } {
  const known = points.filter((p): p is LogPoint & { lowerBound: number } => p.lowerBound !== undefined);
  if (known.length === 0) throw new Error('no worker had its requests in the peers\' logs');
  return {
    fromRequestLogMs: summarise(known.map((p) => p.lowerBound - p.startAt)),
    pollDelayMs: summarise(known.map((p) => p.seenAt - p.lowerBound)),
  };
}

/**
 * The same check per system: how much later than its own request's arrival + latency each
 * peer's state change was seen. It separates the poll's lag from time a peer spends in its
 * handler after the latency (which the moment includes, as the client's answer does).
 */
export function delayBySystem(points: { seen: Seen; oktaLowerBound?: number; scimLowerBound?: number }[]): { okta: Summary | null; scim: Summary | null } {
  const of = (values: number[]) => (values.length === 0 ? null : summarise(values));
  return {
    okta: of(points.flatMap((p) => (p.oktaLowerBound === undefined ? [] : [p.seen.oktaAt - p.oktaLowerBound]))),
    scim: of(points.flatMap((p) => (p.scimLowerBound === undefined ? [] : [p.seen.scimAt - p.scimLowerBound]))),
  };
}
