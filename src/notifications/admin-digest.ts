/**
 * Every access change the engine makes, summarised to `notifications.adminChannel`: accounts
 * created, enabled and disabled, entitlements granted and revoked, approvals decided. Each worker
 * process gathers what its steps recorded (as evidence, successfully) and posts one message per
 * `notifications.every` (default a minute), so a layoff of hundreds is a handful of messages.
 * A message carries counts by system, employee IDs and entitlement names: never a name, an
 * address or a login. One that cannot be posted is kept and sent with the next.
 */
import type { EvidenceInput } from '../evidence/types';

/** What a message says of one change. */
export interface AccessChange {
  stepKey: string;
  kind: ChangeKind;
  system?: string;
  /** bamboohr:1003 */
  worker: string;
}

export type ChangeKind = 'account created' | 'account enabled' | 'account disabled' | 'entitlement granted' | 'entitlement revoked' | 'approval approved' | 'approval rejected';

const kindOf: Readonly<Record<string, ChangeKind>> = {
  'account.create': 'account created',
  'account.enable': 'account enabled',
  'account.disable': 'account disabled',
  'entitlement.grant': 'entitlement granted',
  'entitlement.revoke': 'entitlement revoked',
};

/** The access change an evidence event records, if it records one that happened. */
export function accessChangeOf(input: EvidenceInput): AccessChange | undefined {
  const worker = `${input.hrSource}:${input.employeeId}`;
  if (input.action === 'approval.decided') {
    const decision = input.context.decision;
    if (decision !== 'approved' && decision !== 'rejected') return undefined;
    return { stepKey: input.stepKey, kind: decision === 'approved' ? 'approval approved' : 'approval rejected', worker };
  }
  const kind = kindOf[input.action];
  if (!kind || input.outcome !== 'success') return undefined;
  return { stepKey: input.stepKey, kind, ...(input.system ? { system: input.system } : {}), worker };
}

export interface DigestMessage {
  text: string;
  changes: number;
}

const order: readonly ChangeKind[] = ['account created', 'account enabled', 'entitlement granted', 'approval approved', 'approval rejected', 'account disabled', 'entitlement revoked'];
/** "3 accounts disabled": the noun (the first word) takes the plural. */
const plural = (kind: ChangeKind, n: number) => (n === 1 ? kind : kind.replace(/^(\w+)/, '$1s'));

/** One message for a batch of changes: a line per kind with counts by system, then the workers. */
export function digestText(changes: readonly AccessChange[], window: { from: Date; to: Date }, source: string, maxWorkers = 25): string {
  const hhmm = (d: Date) => d.toISOString().slice(11, 16);
  const lines = [`Access changes ${hhmm(window.from)}–${hhmm(window.to)} UTC (${source}): ${changes.length}`];
  for (const kind of order) {
    const ofKind = changes.filter((c) => c.kind === kind);
    if (ofKind.length === 0) continue;
    const bySystem = new Map<string, number>();
    for (const c of ofKind) if (c.system) bySystem.set(c.system, (bySystem.get(c.system) ?? 0) + 1);
    const systems = [...bySystem].sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, n]) => `${s} ${n}`).join(', ');
    lines.push(`• ${ofKind.length} ${plural(kind, ofKind.length)}${systems ? ` (${systems})` : ''}`);
  }
  const workers = [...new Set(changes.map((c) => c.worker))].sort();
  const shown = workers.slice(0, maxWorkers).join(', ');
  lines.push(`Workers: ${shown}${workers.length > maxWorkers ? ` and ${workers.length - maxWorkers} more` : ''}`);
  return lines.join('\n');
}

export interface AdminDigestOptions {
  post(message: DigestMessage): Promise<void>;
  everyMs: number;
  /** Names this process in the message (its Temporal identity). */
  source: string;
  onError?: (err: unknown) => void;
  now?: () => Date;
  /** Changes one message may hold back when posting keeps failing; older ones are dropped (default 50,000). */
  maxPending?: number;
}

export interface AdminDigest {
  add(change: AccessChange): void;
  /** Posts what is pending now (the timer does every everyMs). */
  flush(): Promise<void>;
  /** A last flush, then no more. */
  stop(): Promise<void>;
}

export function startAdminDigest(options: AdminDigestOptions): AdminDigest {
  const now = options.now ?? (() => new Date());
  const maxPending = options.maxPending ?? 50_000;
  let pending: AccessChange[] = [];
  let since = now();
  // A retried step appends again and is told of the same row: each step counts once.
  const seen = new Set<string>();
  let flushing: Promise<void> = Promise.resolve();

  const flushOnce = async (): Promise<void> => {
    if (pending.length === 0) return;
    const batch = pending;
    const window = { from: since, to: now() };
    pending = [];
    since = window.to;
    try {
      await options.post({ text: digestText(batch, window, options.source), changes: batch.length });
    } catch (err) {
      // Kept for the next message, oldest first; what exceeds the cap is dropped.
      pending = [...batch, ...pending].slice(-maxPending);
      since = window.from;
      options.onError?.(err);
    }
  };
  const flush = () => (flushing = flushing.then(flushOnce));
  const timer = setInterval(() => void flush(), options.everyMs);
  timer.unref();
  return {
    add(change) {
      if (seen.has(change.stepKey)) return;
      seen.add(change.stepKey);
      if (seen.size > 200_000) seen.delete(seen.values().next().value as string);
      pending.push(change);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
