/**
 * Ending sessions on Slack. A lone call goes to admin.users.session.reset; calls that arrive
 * within a short window (a layoff) are coalesced into admin.users.session.resetBulk, up to the
 * 1,000 users it takes. resetBulk only enqueues a job ("an ok response does not mean all sessions
 * have been reset"), so every caller waits until admin.users.session.list shows its own user with
 * no session left, within a bounded wait, else 'converging' (retryable). Each caller's promise
 * settles on its own user's result. A bulk job is confirmed by listing the organisation's sessions
 * (every page) for the whole batch at once, a Tier 2 call per page instead of one per user, until
 * the organisation has more pages of sessions than users still waiting; then each is read alone.
 */
import { ConnectorError } from '../errors';
import type { AccessNote } from '../types';
import { sessionListSchema } from './convert';
import { SlackApiError } from './errors';
import type { SlackWebApi } from './web-api';

export interface SessionResetOptions {
  system: string;
  /** The workspace (or org) ID admin.users.session.list reads sessions in. */
  teamId: string;
  /** How long calls are gathered before they go (ms). */
  windowMs: number;
  /** How long a caller waits for a fresh read to show its user's sessions gone (ms). */
  checkTimeoutMs: number;
  /** First wait between reads; doubles up to 8x. */
  checkIntervalMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface Waiter {
  userId: string;
  resolve: (note: AccessNote) => void;
  reject: (error: unknown) => void;
}

const BULK_MAX = 1000;
/** Pages of 1,000 an organisation-wide session listing may take (a million sessions). */
const ORG_MAX_PAGES = 1000;

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
/** resetBulk answers that name some users it could not reset: each user is then reset alone, so each gets its own answer. */
const PER_USER_ERRORS = new Set(['failed_for_some_users', 'user_not_found', 'users_not_found', 'invalid_users', 'cannot_reset_bot', 'cannot_reset_primary_owner', 'session_reset_not_allowed']);

export class SessionResets {
  private pending: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** resetBulk calls made (for evidence and tests). */
  bulkCalls = 0;

  constructor(
    private readonly web: SlackWebApi,
    private readonly options: SessionResetOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  reset(userId: string): Promise<AccessNote> {
    return new Promise<AccessNote>((resolve, reject) => {
      this.pending.push({ userId, resolve, reject });
      if (this.pending.length >= BULK_MAX) return this.flush();
      this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0, BULK_MAX);
    if (batch.length === 0) return;
    const users = [...new Set(batch.map((w) => w.userId))];
    const settle = (userId: string, outcome: Promise<AccessNote>) => {
      for (const w of batch.filter((x) => x.userId === userId)) outcome.then(w.resolve, w.reject);
    };
    if (users.length === 1) {
      settle(users[0]!, this.single(users[0]!));
      return;
    }
    const bulk = this.bulk(users);
    const confirmations = bulk.then((how) => (how === 'bulk' ? this.confirmBatch(users) : undefined));
    for (const userId of users) settle(userId, confirmations.then((batch) => batch?.get(userId) ?? this.single(userId)));
  }

  /**
   * After a bulk job: organisation-wide session listings confirm every user of the batch in the
   * same reads. Each user settles as soon as a complete listing shows them without a session; at
   * the deadline the rest are 'converging'. When a listing takes more pages than users are still
   * waiting, reading those users alone is cheaper, and each goes on that way; so it does when the
   * listing shows no session at all (which proves nothing).
   */
  private confirmBatch(users: string[]): Map<string, Promise<AccessNote>> {
    const how = 'admin.users.session.resetBulk';
    const waiters = new Map(users.map((u) => [u, deferred<AccessNote>()]));
    const waiting = new Set(users);
    const settleRest = (outcome: (userId: string) => Promise<AccessNote>) => {
      for (const u of waiting) outcome(u).then(waiters.get(u)!.resolve, waiters.get(u)!.reject);
      waiting.clear();
    };
    void (async () => {
      const deadline = this.now() + this.options.checkTimeoutMs;
      let interval = this.options.checkIntervalMs;
      await this.sleep(interval);
      for (let reads = 1; ; reads++) {
        const { sessions, pages, total } = await this.organisationSessions(waiting);
        // A listing of no session at all in a live organisation may be a scoping error, not proof: each user is read alone.
        if (total === 0) return settleRest((u) => this.confirmed(u, how, users.length));
        for (const u of [...waiting]) {
          if (sessions.has(u)) continue;
          waiting.delete(u);
          waiters.get(u)!.resolve({
            note: `Slack reset every session of the user on all devices (${how}); a fresh session list of the organisation shows none left`,
            detail: { sessionResetMethod: how, sessionResetBatch: users.length, sessionChecks: reads, sessionCheck: 'organisation' },
          });
        }
        if (waiting.size === 0) return;
        if (pages > waiting.size) return settleRest((u) => this.confirmed(u, how, users.length));
        if (this.now() + interval > deadline) {
          return settleRest(async (u) => {
            throw new ConnectorError('converging', `${this.options.system}: user ${u} still has ${sessions.get(u)} session(s) ${this.options.checkTimeoutMs} ms after ${how}`, this.options.system);
          });
        }
        await this.sleep(interval);
        interval = Math.min(interval * 2, this.options.checkIntervalMs * 8);
      }
    })().catch((err: unknown) => settleRest(async () => Promise.reject(err)));
    return new Map([...waiters].map(([u, d]) => [u, d.promise]));
  }

  /** 'bulk' when the job was enqueued; 'alone' when Slack refused it for some users, so each is reset alone. */
  private async bulk(users: string[]): Promise<'bulk' | 'alone'> {
    this.bulkCalls += 1;
    try {
      await this.web.call('admin.users.session.resetBulk', { user_ids: users, mobile_only: false, web_only: false });
      return 'bulk';
    } catch (err) {
      if (err instanceof SlackApiError && PER_USER_ERRORS.has(err.slackError)) return 'alone';
      throw err;
    }
  }

  private async single(userId: string): Promise<AccessNote> {
    await this.web.call('admin.users.session.reset', { user_id: userId, mobile_only: false, web_only: false });
    return this.confirmed(userId, 'admin.users.session.reset', 1);
  }

  /**
   * Reads the user's sessions until none is left or the wait is over. After an enqueued job the
   * first read waits one interval: reading at once would spend a Tier 2 call per user on an
   * answer that cannot be "done" yet.
   */
  private async confirmed(userId: string, how: string, batchSize: number, enqueued = false): Promise<AccessNote> {
    const deadline = this.now() + this.options.checkTimeoutMs;
    let interval = this.options.checkIntervalMs;
    let reads = 0;
    if (enqueued) await this.sleep(interval);
    for (;;) {
      reads += 1;
      const left = await this.sessionsOf(userId);
      if (left === 0) {
        return {
          note: `Slack reset every session of the user on all devices (${how}); a fresh session list shows none left`,
          detail: { sessionResetMethod: how, ...(batchSize > 1 ? { sessionResetBatch: batchSize } : {}), sessionChecks: reads },
        };
      }
      if (this.now() + interval > deadline) {
        throw new ConnectorError('converging', `${this.options.system}: user ${userId} still has ${left} session(s) ${this.options.checkTimeoutMs} ms after ${how}`, this.options.system);
      }
      await this.sleep(interval);
      interval = Math.min(interval * 2, this.options.checkIntervalMs * 8);
    }
  }

  /** Active sessions in the whole organisation of these users (every page followed), and how many pages that took. */
  private async organisationSessions(of: ReadonlySet<string>): Promise<{ sessions: Map<string, number>; pages: number; total: number }> {
    const sessions = new Map<string, number>();
    let total = 0;
    let cursor = '';
    for (let page = 1; page <= ORG_MAX_PAGES; page++) {
      // Without user_id (and so without team_id), Slack lists every active session of the organisation.
      const result = await this.web.call('admin.users.session.list', { limit: 1000, ...(cursor ? { cursor } : {}) });
      const list = this.web.parse('admin.users.session.list', sessionListSchema, result);
      total += list.active_sessions.length;
      for (const s of list.active_sessions) if (of.has(s.user_id)) sessions.set(s.user_id, (sessions.get(s.user_id) ?? 0) + 1);
      cursor = list.response_metadata?.next_cursor ?? '';
      if (!cursor) return { sessions, pages: page, total };
    }
    throw new ConnectorError('unavailable', `${this.options.system}: the organisation's session list still had more after ${ORG_MAX_PAGES} pages`, this.options.system);
  }

  /** Active sessions of the user, every page followed. */
  private async sessionsOf(userId: string): Promise<number> {
    let count = 0;
    let cursor = '';
    for (let page = 0; page < 100; page++) {
      const result = await this.web.call('admin.users.session.list', { user_id: userId, team_id: this.options.teamId, limit: 1000, ...(cursor ? { cursor } : {}) });
      const list = this.web.parse('admin.users.session.list', sessionListSchema, result);
      count += list.active_sessions.filter((s) => s.user_id === userId).length;
      cursor = list.response_metadata?.next_cursor ?? '';
      if (!cursor) return count;
    }
    throw new ConnectorError('unavailable', `${this.options.system}: admin.users.session.list still had more after 100 pages`, this.options.system);
  }
}
