import type { Targets } from '../test/harness/targets';

export interface Killed {
  /** Epoch ms of the first poll that saw the Okta user with no sessions. */
  oktaAt: number;
  /** Epoch ms of the first poll that saw the SCIM user inactive. */
  scimAt: number;
  /** Sessions killed in every system: the later of the two. */
  at: number;
}

interface Pending {
  login: string;
  oktaAt?: number;
  scimAt?: number;
  deadline: number;
  resolve(k: Killed): void;
  reject(err: Error): void;
}

/**
 * Observes the moment a worker's sessions are gone, from outside the engine, at the peers'
 * state: the Okta peer's session count for the login reaching 0, and the SCIM server's user
 * reading `active: false`. Both peers apply their latency before the handler runs, change the
 * state and send the response in the same tick, so the state change is the moment the kill's
 * response leaves the peer; the poll sees it at most one interval (plus event-loop delay) later.
 */
export class KillWatch {
  private readonly pending = new Set<Pending>();
  private timer: NodeJS.Timeout | undefined;
  /** Time spent inside the poll itself, to show its cost next to the figures. */
  pollCpuMs = 0;
  polls = 0;

  constructor(
    private readonly targets: Targets,
    readonly everyMs = 5,
  ) {}

  /** Starts watching a seeded, live worker; resolves when both systems show the kill. */
  watch(login: string, timeoutMs = 60_000): Promise<Killed> {
    if (this.targets.okta.sessionsOf(login) === 0 || this.targets.scim.user(login)?.active !== true) {
      throw new Error(`kill watch: ${login} has no live sessions to watch`);
    }
    return new Promise<Killed>((resolve, reject) => {
      this.pending.add({ login, deadline: Date.now() + timeoutMs, resolve, reject });
      this.timer ??= setInterval(() => this.poll(), this.everyMs);
    });
  }

  private poll(): void {
    const started = performance.now();
    const now = Date.now();
    this.polls++;
    for (const p of this.pending) {
      if (p.oktaAt === undefined && this.targets.okta.sessionsOf(p.login) === 0) p.oktaAt = now;
      if (p.scimAt === undefined && this.targets.scim.user(p.login)?.active === false) p.scimAt = now;
      if (p.oktaAt !== undefined && p.scimAt !== undefined) {
        this.pending.delete(p);
        p.resolve({ oktaAt: p.oktaAt, scimAt: p.scimAt, at: Math.max(p.oktaAt, p.scimAt) });
      } else if (now > p.deadline) {
        this.pending.delete(p);
        p.reject(new Error(`sessions of ${p.login} not killed everywhere within the deadline (okta ${p.oktaAt ? 'done' : 'live'}, scim ${p.scimAt ? 'done' : 'live'})`));
      }
    }
    if (this.pending.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.pollCpuMs += performance.now() - started;
  }
}
