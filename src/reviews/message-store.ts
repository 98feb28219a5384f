import type { Database } from '../db/database';

/** What a review message shows of the worker, as HR sent it (shown to the reviewer only, never logged). */
export interface ReviewWorkerView {
  name?: string;
  jobTitle?: string;
  department?: string;
}

/** One posted Slack message of a campaign: a page of one worker's items, to one reviewer. */
export interface ReviewMessage {
  campaignId: string;
  reviewer: string;
  recipient: string;
  hrSource: string;
  employeeId: string;
  page: number;
  pages: number;
  itemIds: string[];
  worker: ReviewWorkerView;
  channel: string;
  ts: string;
}

interface Row {
  campaign_id: string;
  reviewer: string;
  recipient: string;
  hr_source: string;
  employee_id: string;
  page: number;
  pages: number;
  item_ids: string[];
  worker: ReviewWorkerView | string;
  channel: string;
  ts: string;
}

const columns = 'campaign_id, reviewer, recipient, hr_source, employee_id, page, pages, item_ids, worker, channel, ts';

/** Where each review message was posted, so a decision updates every copy of it. */
export class ReviewMessageStore {
  constructor(private readonly db: Database) {}

  /** Whether this page was posted to this recipient already (a retried step posts it once). */
  async posted(m: Pick<ReviewMessage, 'campaignId' | 'recipient' | 'hrSource' | 'employeeId' | 'page'>): Promise<boolean> {
    const { rows } = await this.db.query(`SELECT 1 FROM review_messages WHERE campaign_id = $1 AND recipient = $2 AND hr_source = $3 AND employee_id = $4 AND page = $5`, [
      m.campaignId,
      m.recipient,
      m.hrSource,
      m.employeeId,
      m.page,
    ]);
    return rows.length > 0;
  }

  async record(m: ReviewMessage, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO review_messages (${columns}, posted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::jsonb, $10, $11, $12::timestamptz)
       ON CONFLICT (campaign_id, recipient, hr_source, employee_id, page) DO NOTHING`,
      [m.campaignId, m.reviewer, m.recipient, m.hrSource, m.employeeId, m.page, m.pages, m.itemIds, JSON.stringify(m.worker), m.channel, m.ts, at.toISOString()],
    );
  }

  /** Every message showing one worker's items in a campaign. */
  async forWorker(campaignId: string, hrSource: string, employeeId: string): Promise<ReviewMessage[]> {
    const { rows } = await this.db.query<Row>(`SELECT ${columns} FROM review_messages WHERE campaign_id = $1 AND hr_source = $2 AND employee_id = $3 ORDER BY recipient, page`, [
      campaignId,
      hrSource,
      employeeId,
    ]);
    return rows.map((r) => ({
      campaignId: r.campaign_id,
      reviewer: r.reviewer,
      recipient: r.recipient,
      hrSource: r.hr_source,
      employeeId: r.employee_id,
      page: r.page,
      pages: r.pages,
      itemIds: r.item_ids,
      worker: typeof r.worker === 'string' ? (JSON.parse(r.worker) as ReviewWorkerView) : r.worker,
      channel: r.channel,
      ts: r.ts,
    }));
  }
}
