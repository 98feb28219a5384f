import { createHash } from 'node:crypto';
import type { Database } from '../db/database';
import type { ReviewWorkerView } from './message-store';

/** A work email as the self-review check compares it: never the address itself in a workflow. */
export function emailDigest(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
}

export interface ReviewWorkerRow extends ReviewWorkerView {
  hrSource: string;
  employeeId: string;
  managerId?: string;
  emailDigest?: string;
}

/** The workers of a campaign, as HR described them when it opened. */
export class ReviewWorkerStore {
  constructor(private readonly db: Database) {}

  async add(campaignId: string, workers: readonly ReviewWorkerRow[]): Promise<void> {
    for (let i = 0; i < workers.length; i += 1000) {
      const batch = workers.slice(i, i + 1000);
      const col = <T>(pick: (w: ReviewWorkerRow) => T) => batch.map(pick);
      await this.db.query(
        `INSERT INTO review_workers (campaign_id, hr_source, employee_id, name, job_title, department, manager_id, email_digest)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         ON CONFLICT (campaign_id, hr_source, employee_id) DO NOTHING`,
        [
          campaignId,
          col((w) => w.hrSource),
          col((w) => w.employeeId),
          col((w) => w.name ?? null),
          col((w) => w.jobTitle ?? null),
          col((w) => w.department ?? null),
          col((w) => w.managerId ?? null),
          col((w) => w.emailDigest ?? null),
        ],
      );
    }
  }

  async get(campaignId: string, keys: readonly { hrSource: string; employeeId: string }[]): Promise<ReviewWorkerRow[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.db.query<{ hr_source: string; employee_id: string; name: string | null; job_title: string | null; department: string | null; manager_id: string | null; email_digest: string | null }>(
      `SELECT w.hr_source, w.employee_id, name, job_title, department, manager_id, email_digest
         FROM review_workers w JOIN unnest($2::text[], $3::text[]) AS k(hr_source, employee_id) USING (hr_source, employee_id)
        WHERE w.campaign_id = $1`,
      [campaignId, keys.map((k) => k.hrSource), keys.map((k) => k.employeeId)],
    );
    return rows.map((r) => ({
      hrSource: r.hr_source,
      employeeId: r.employee_id,
      ...(r.name ? { name: r.name } : {}),
      ...(r.job_title ? { jobTitle: r.job_title } : {}),
      ...(r.department ? { department: r.department } : {}),
      ...(r.manager_id ? { managerId: r.manager_id } : {}),
      ...(r.email_digest ? { emailDigest: r.email_digest } : {}),
    }));
  }
}
