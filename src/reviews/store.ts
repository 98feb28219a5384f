/**
 * The access-review store (review_campaigns, review_items, review_exceptions). Items are written
 * in batches keyed by campaign and item ID, so a retried snapshot writes each once; a decision is
 * a conditional update, so the first one wins and a second is told what the first was.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../db/database';
import type { ReviewScope } from './config';
import type { Campaign, ItemDecision, ItemStatus, NewReviewItem, ReviewItem } from './types';

interface CampaignRow {
  campaign_id: string;
  status: string;
  scope: ReviewScope | string;
  opened_at: Date | string;
  due_at: Date | string;
  closed_at: Date | string | null;
  snapshot: Campaign['snapshot'] | string | null;
}

interface ItemRow {
  campaign_id: string;
  item_id: string;
  hr_source: string;
  employee_id: string;
  department: string | null;
  system: string;
  account_id: string;
  entitlement: string;
  basis: string;
  rules: string[];
  reviewer: string;
  status: string;
  decided_by: string | null;
  decided_via: string | null;
  reason: string | null;
  decided_at: Date | string | null;
  revoke_outcome: string | null;
  revoked_at: Date | string | null;
}

const itemColumns = `campaign_id, item_id, hr_source, employee_id, department, system, account_id, entitlement, basis, rules,
  reviewer, status, decided_by, decided_via, reason, decided_at, revoke_outcome, revoked_at`;
const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();
const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/** A short, stable ID for a worker's entitlement in a campaign (safe in URLs and Slack action IDs). */
export function reviewItemId(campaignId: string, item: Pick<NewReviewItem, 'system' | 'hrSource' | 'employeeId' | 'entitlement'>): string {
  return createHash('sha256').update([campaignId, item.system, item.hrSource, item.employeeId, item.entitlement].join('\u0000')).digest('hex').slice(0, 20);
}

export type DecideResult = { kind: 'decided'; item: ReviewItem } | { kind: 'already_decided'; item: ReviewItem } | { kind: 'not_found' };

export class ReviewStore {
  constructor(private readonly db: Database) {}

  /** Opens a campaign (or answers the one already open under this ID, unchanged). */
  async open(campaignId: string, scope: ReviewScope, openedAt: Date, dueAt: Date): Promise<Campaign> {
    await this.db.query(
      `INSERT INTO review_campaigns (campaign_id, status, scope, opened_at, due_at) VALUES ($1, 'snapshotting', $2::jsonb, $3::timestamptz, $4::timestamptz)
       ON CONFLICT (campaign_id) DO NOTHING`,
      [campaignId, JSON.stringify(scope), openedAt.toISOString(), dueAt.toISOString()],
    );
    return (await this.campaign(campaignId))!;
  }

  async campaign(campaignId: string): Promise<Campaign | undefined> {
    const { rows } = await this.db.query<CampaignRow>(`SELECT campaign_id, status, scope, opened_at, due_at, closed_at, snapshot FROM review_campaigns WHERE campaign_id = $1`, [campaignId]);
    return rows[0] ? toCampaign(rows[0]) : undefined;
  }

  /** Campaigns, newest first. */
  async campaigns(limit = 50): Promise<Campaign[]> {
    const { rows } = await this.db.query<CampaignRow>(
      `SELECT campaign_id, status, scope, opened_at, due_at, closed_at, snapshot FROM review_campaigns ORDER BY opened_at DESC, campaign_id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toCampaign);
  }

  /** Campaigns open at any time in [from, to): opened before `to` and not closed before `from`. */
  async campaignsBetween(from: string, to: string): Promise<Campaign[]> {
    const { rows } = await this.db.query<CampaignRow>(
      `SELECT campaign_id, status, scope, opened_at, due_at, closed_at, snapshot FROM review_campaigns
        WHERE opened_at < $2::timestamptz AND (closed_at IS NULL OR closed_at >= $1::timestamptz) ORDER BY opened_at, campaign_id`,
      [from, to],
    );
    return rows.map(toCampaign);
  }

  /** The snapshot is complete (every system read or failed). */
  async snapshotTaken(campaignId: string, snapshot: NonNullable<Campaign['snapshot']>): Promise<void> {
    await this.db.query(`UPDATE review_campaigns SET snapshot = $2::jsonb WHERE campaign_id = $1`, [campaignId, JSON.stringify(snapshot)]);
  }

  /** Every reviewer's workflow is running: decisions are taken from now on. */
  async openForDecisions(campaignId: string): Promise<void> {
    await this.db.query(`UPDATE review_campaigns SET status = 'open' WHERE campaign_id = $1 AND status = 'snapshotting'`, [campaignId]);
  }

  /** Closes the campaign: every item still pending is unreviewed. Answers how many were. */
  async close(campaignId: string, at: Date): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query(`UPDATE review_items SET status = 'unreviewed' WHERE campaign_id = $1 AND status = 'pending' RETURNING item_id`, [campaignId]);
      await tx.query(`UPDATE review_campaigns SET status = 'closed', closed_at = COALESCE(closed_at, $2::timestamptz) WHERE campaign_id = $1`, [campaignId, at.toISOString()]);
      return rows.length;
    });
  }

  /** Writes a batch of a system's items; items already written (a retried read) are left as they are. */
  async addItems(items: readonly NewReviewItem[]): Promise<void> {
    if (items.length === 0) return;
    const col = <T>(pick: (i: NewReviewItem) => T) => items.map(pick);
    await this.db.query(
      `INSERT INTO review_items (campaign_id, item_id, hr_source, employee_id, department, system, account_id, entitlement, basis, rules, reviewer, status)
       SELECT t.campaign_id, t.item_id, t.hr_source, t.employee_id, t.department, t.system, t.account_id, t.entitlement, t.basis,
              COALESCE(string_to_array(NULLIF(t.rules, ''), E'\\x1f'), '{}'), t.reviewer, 'pending'
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
              AS t(campaign_id, item_id, hr_source, employee_id, department, system, account_id, entitlement, basis, rules, reviewer)
       ON CONFLICT (campaign_id, item_id) DO NOTHING`,
      [
        col((i) => i.campaignId),
        col((i) => i.itemId),
        col((i) => i.hrSource),
        col((i) => i.employeeId),
        col((i) => i.department ?? null),
        col((i) => i.system),
        col((i) => i.accountId),
        col((i) => i.entitlement),
        col((i) => i.basis),
        col((i) => i.rules.join('\u001f')),
        col((i) => i.reviewer),
      ],
    );
  }

  async item(campaignId: string, itemId: string): Promise<ReviewItem | undefined> {
    const { rows } = await this.db.query<ItemRow>(`SELECT ${itemColumns} FROM review_items WHERE campaign_id = $1 AND item_id = $2`, [campaignId, itemId]);
    return rows[0] ? toItem(rows[0]) : undefined;
  }

  /** A campaign's items, pageSize at a time, in reviewer, employee, system and entitlement order. */
  async *items(campaignId: string, filter: { reviewer?: string; status?: ItemStatus } = {}, pageSize = 1000): AsyncGenerator<ReviewItem[]> {
    let after: [string, string, string, string] = ['', '', '', ''];
    for (;;) {
      const { rows } = await this.db.query<ItemRow>(
        `SELECT ${itemColumns} FROM review_items
          WHERE campaign_id = $1 AND ($2::text IS NULL OR reviewer = $2) AND ($3::text IS NULL OR status = $3)
            AND (reviewer, employee_id, system, entitlement) > ($4, $5, $6, $7)
          ORDER BY reviewer, employee_id, system, entitlement LIMIT $8`,
        [campaignId, filter.reviewer ?? null, filter.status ?? null, ...after, pageSize],
      );
      if (rows.length > 0) yield rows.map(toItem);
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) return;
      after = [last.reviewer, last.employee_id, last.system, last.entitlement];
    }
  }

  /** The reviewers of a campaign, with how many items each has. */
  async reviewers(campaignId: string): Promise<{ reviewer: string; items: number }[]> {
    const { rows } = await this.db.query<{ reviewer: string; n: string | number }>(
      `SELECT reviewer, count(*) AS n FROM review_items WHERE campaign_id = $1 GROUP BY reviewer ORDER BY reviewer`,
      [campaignId],
    );
    return rows.map((r) => ({ reviewer: r.reviewer, items: Number(r.n) }));
  }

  /** Records a decision on a pending item of an open campaign; the first decision wins. */
  async decide(campaignId: string, itemId: string, d: ItemDecision): Promise<DecideResult> {
    const { rows } = await this.db.query<ItemRow>(
      `UPDATE review_items i SET status = $3, decided_by = $4, decided_via = $5, reason = $6, decided_at = $7::timestamptz
         FROM review_campaigns c
        WHERE i.campaign_id = $1 AND i.item_id = $2 AND i.status = 'pending' AND c.campaign_id = i.campaign_id AND c.status = 'open'
        RETURNING ${itemColumns.split(',').map((c) => `i.${c.trim()}`).join(', ')}`,
      [campaignId, itemId, d.decision === 'keep' ? 'kept' : 'revoked', d.decidedBy, d.via, d.reason ?? null, d.decidedAt],
    );
    if (rows[0]) return { kind: 'decided', item: toItem(rows[0]) };
    const existing = await this.item(campaignId, itemId);
    return existing ? { kind: 'already_decided', item: existing } : { kind: 'not_found' };
  }

  /** What the revoke step of a revoked item came to (success only from a fresh read). */
  async revokeDone(campaignId: string, itemId: string, outcome: string, at: string): Promise<void> {
    await this.db.query(`UPDATE review_items SET revoke_outcome = $3, revoked_at = $4::timestamptz WHERE campaign_id = $1 AND item_id = $2`, [campaignId, itemId, outcome, at]);
  }

  /** A policy grant revoked in a review: joiner and mover runs skip it, naming the campaign. */
  async addException(item: ReviewItem, at: string): Promise<void> {
    await this.db.query(
      `INSERT INTO review_exceptions (hr_source, employee_id, system, entitlement, campaign_id, item_id, revoked_by, reason, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz)
       ON CONFLICT (hr_source, employee_id, system, entitlement) DO UPDATE SET campaign_id = EXCLUDED.campaign_id, item_id = EXCLUDED.item_id,
         revoked_by = EXCLUDED.revoked_by, reason = EXCLUDED.reason, created_at = EXCLUDED.created_at, cleared_at = NULL, cleared_by = NULL`,
      [item.hrSource, item.employeeId, item.system, item.entitlement, item.campaignId, item.itemId, item.decidedBy ?? '', item.reason ?? '', at],
    );
  }

  /** The open exception for one grant, if a reviewer revoked it. */
  async exceptionFor(hrSource: string, employeeId: string, system: string, entitlement: string): Promise<{ campaignId: string; itemId: string; revokedBy: string; reason: string } | undefined> {
    const { rows } = await this.db.query<{ campaign_id: string; item_id: string; revoked_by: string; reason: string }>(
      `SELECT campaign_id, item_id, revoked_by, reason FROM review_exceptions
        WHERE hr_source = $1 AND employee_id = $2 AND system = $3 AND entitlement = $4 AND cleared_at IS NULL`,
      [hrSource, employeeId, system, entitlement],
    );
    const r = rows[0];
    return r ? { campaignId: r.campaign_id, itemId: r.item_id, revokedBy: r.revoked_by, reason: r.reason } : undefined;
  }

  /** A joiner or mover granted it again (with a note): the exception is settled. */
  async clearException(hrSource: string, employeeId: string, system: string, entitlement: string, byWorkflow: string, at: string): Promise<void> {
    await this.db.query(
      `UPDATE review_exceptions SET cleared_at = $6::timestamptz, cleared_by = $5
        WHERE hr_source = $1 AND employee_id = $2 AND system = $3 AND entitlement = $4 AND cleared_at IS NULL`,
      [hrSource, employeeId, system, entitlement, byWorkflow, at],
    );
  }

  /** A worker's open review exceptions: entitlements policy gives that a reviewer revoked. */
  async exceptionsFor(hrSource: string, employeeId: string): Promise<{ system: string; entitlement: string; campaignId: string; reason: string }[]> {
    const { rows } = await this.db.query<{ system: string; entitlement: string; campaign_id: string; reason: string }>(
      `SELECT system, entitlement, campaign_id, reason FROM review_exceptions WHERE hr_source = $1 AND employee_id = $2 AND cleared_at IS NULL ORDER BY system, entitlement`,
      [hrSource, employeeId],
    );
    return rows.map((r) => ({ system: r.system, entitlement: r.entitlement, campaignId: r.campaign_id, reason: r.reason }));
  }

  /** Completion per reviewer and per department: items, decided, and the last decision's time. */
  async completion(campaignId: string, by: 'reviewer' | 'department'): Promise<{ key: string; items: number; decided: number; lastDecidedAt?: string }[]> {
    const column = by === 'reviewer' ? 'reviewer' : "COALESCE(department, '')";
    const { rows } = await this.db.query<{ key: string; items: string | number; decided: string | number; last: Date | string | null }>(
      `SELECT ${column} AS key, count(*) AS items, count(*) FILTER (WHERE status IN ('kept', 'revoked')) AS decided, max(decided_at) AS last
         FROM review_items WHERE campaign_id = $1 GROUP BY 1 ORDER BY 1`,
      [campaignId],
    );
    return rows.map((r) => ({ key: r.key, items: Number(r.items), decided: Number(r.decided), ...(r.last ? { lastDecidedAt: iso(r.last) } : {}) }));
  }
}

function toCampaign(r: CampaignRow): Campaign {
  return {
    campaignId: r.campaign_id,
    status: r.status as Campaign['status'],
    scope: json(r.scope),
    openedAt: iso(r.opened_at),
    dueAt: iso(r.due_at),
    ...(r.closed_at ? { closedAt: iso(r.closed_at) } : {}),
    ...(r.snapshot ? { snapshot: json<NonNullable<Campaign['snapshot']>>(r.snapshot) } : {}),
  };
}

function toItem(r: ItemRow): ReviewItem {
  return {
    campaignId: r.campaign_id,
    itemId: r.item_id,
    hrSource: r.hr_source,
    employeeId: r.employee_id,
    ...(r.department ? { department: r.department } : {}),
    system: r.system,
    accountId: r.account_id,
    entitlement: r.entitlement,
    basis: r.basis as ReviewItem['basis'],
    rules: r.rules ?? [],
    reviewer: r.reviewer,
    status: r.status as ItemStatus,
    ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
    ...(r.decided_via ? { decidedVia: r.decided_via as ReviewItem['decidedVia'] } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.decided_at ? { decidedAt: iso(r.decided_at) } : {}),
    ...(r.revoke_outcome ? { revokeOutcome: r.revoke_outcome } : {}),
    ...(r.revoked_at ? { revokedAt: iso(r.revoked_at) } : {}),
  };
}

