import { createHash } from 'node:crypto';
import type { EvidenceContext, EvidenceRecord } from './types';

/** prevHash of the first event in the chain. */
export const genesisHash = '0'.repeat(64);

/**
 * What one event's hash covers: every fact the event states, exactly as stored. seq, prevHash
 * and hash are left out on purpose: prevHash is mixed in separately (the chain link), and seq
 * stays outside so a row moved to another seq still matches its own hash; verify then reports
 * it as reordered (its link does not follow seq order) rather than edited.
 * Absent optional fields are null, timestamps are millisecond ISO-8601 UTC strings.
 */
export interface HashedContent {
  stepKey: string;
  employeeId: string;
  hrSource: string;
  actorType: string;
  actorId: string;
  action: string;
  system: string | null;
  entitlement: string | null;
  occurredAt: string;
  recordedAt: string;
  where: string | null;
  outcome: string;
  context: EvidenceContext;
}

export type HashableRecord = Omit<EvidenceRecord, 'seq' | 'prevHash' | 'hash'>;

export function hashedContent(record: HashableRecord): HashedContent {
  return {
    stepKey: record.stepKey,
    employeeId: record.employeeId,
    hrSource: record.hrSource,
    actorType: record.actorType,
    actorId: record.actorId,
    action: record.action,
    system: record.system ?? null,
    entitlement: record.entitlement ?? null,
    occurredAt: record.occurredAt,
    recordedAt: record.recordedAt,
    where: record.where ?? null,
    outcome: record.outcome,
    context: record.context,
  };
}

/** hash = hex sha256(prevHash + canonicalJson(content)). */
export function chainHash(prevHash: string, record: HashableRecord): string {
  return createHash('sha256')
    .update(prevHash + canonicalJson(hashedContent(record)), 'utf8')
    .digest('hex');
}

/**
 * JSON with object keys sorted (by UTF-16 code units) at every depth and no whitespace, so the
 * same value always gives the same text, whatever key order jsonb hands back. Follows
 * JSON.stringify for everything else: undefined members are dropped, toJSON is honoured.
 */
export function canonicalJson(value: unknown): string {
  const text = canonical(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

function canonical(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonical((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonical(item) ?? 'null').join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const members: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const member = canonical((value as Record<string, unknown>)[key]);
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
    }
    return `{${members.join(',')}}`;
  }
  if (typeof value === 'bigint') throw new TypeError('bigint has no JSON representation');
  // Strings, finite numbers, booleans, null; undefined/functions/symbols give undefined.
  return JSON.stringify(value) as string | undefined;
}

/**
 * The context as it will come back from jsonb: a plain JSON value (Dates become strings,
 * undefined members vanish). Hashing this form keeps verify stable across the round trip.
 */
export function jsonRoundTrip(context: EvidenceContext): EvidenceContext {
  const parsed: unknown = JSON.parse(canonicalJson(context));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError('evidence context must be a JSON object');
  }
  return parsed as EvidenceContext;
}

const isoWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Millisecond ISO-8601 UTC form of a timestamp, the only form the store writes and hashes.
 * Throws on anything Date cannot read or that Postgres could not store back unchanged.
 */
export function normaliseTimestamp(value: string): string {
  // A zone designator is required: a bare local time would be read in the host's zone.
  if (!isoWithZone.test(value)) throw new RangeError(`not an ISO-8601 timestamp with a zone: ${value}`);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`not a timestamp: ${value}`);
  const iso = new Date(ms).toISOString();
  if (!/^\d{4}-/.test(iso)) throw new RangeError(`timestamp out of range: ${value}`);
  return iso;
}
