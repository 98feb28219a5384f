import type { Database } from '../db/database';
import type { HrSource } from '../hris/hr-event';

export interface Watermark {
  source: HrSource;
  /** Changes up to this instant (ISO-8601 UTC) have been polled and stored. */
  watermark: string;
  polls: number;
  lastFound: number;
  updatedAt: string;
}

interface Row {
  source: string;
  watermark: Date | string;
  polls: string | number;
  last_found: number;
  updated_at: Date | string;
}

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();

/** Durable reconciliation watermarks (table hris_watermarks); they only ever move forward. */
export class WatermarkStore {
  constructor(private readonly db: Database) {}

  async get(source: HrSource): Promise<Watermark | undefined> {
    const { rows } = await this.db.query<Row>('SELECT source, watermark, polls, last_found, updated_at FROM hris_watermarks WHERE source = $1', [source]);
    const row = rows[0];
    return row
      ? { source: row.source as HrSource, watermark: iso(row.watermark), polls: Number(row.polls), lastFound: row.last_found, updatedAt: iso(row.updated_at) }
      : undefined;
  }

  /** Records a finished poll up to `to`; a watermark already further on is kept. */
  async advance(source: HrSource, to: Date, found: number): Promise<void> {
    await this.db.query(
      `INSERT INTO hris_watermarks (source, watermark, polls, last_found, updated_at) VALUES ($1, $2::timestamptz, 1, $3, now())
       ON CONFLICT (source) DO UPDATE SET watermark = GREATEST(hris_watermarks.watermark, EXCLUDED.watermark),
         polls = hris_watermarks.polls + 1, last_found = EXCLUDED.last_found, updated_at = now()`,
      [source, to.toISOString(), found],
    );
  }
}
