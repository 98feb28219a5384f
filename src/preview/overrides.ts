import type { WorkerAttributes } from '../hris/hr-event';
import { isValidTimeZone } from '../leaver/timing';

/** The attributes a preview may change: what policy matches on, plus the login and time zone. */
export const overridableFields = ['department', 'division', 'jobTitle', 'location', 'employmentType', 'managerId', 'workEmail', 'timeZone'] as const;
export type OverridableField = (typeof overridableFields)[number];

/** Field -> new value; `null` clears the attribute (as if HR no longer reported it). */
export type Overrides = Partial<Record<OverridableField, string | null>>;

export class OverrideError extends Error {
  override readonly name = 'OverrideError';
}

const maxValueLength = 256;

/**
 * Parses `field=value` (CLI) or `field:value` (API query); either separator is accepted in both,
 * split at the first one, so a value may itself hold ":" or "=". An empty value clears the field.
 */
export function parseOverrides(texts: readonly string[]): Overrides {
  const out: Overrides = {};
  for (const text of texts) {
    const at = text.search(/[:=]/);
    if (at <= 0) throw new OverrideError(`"${text}" is not field=value (fields: ${overridableFields.join(', ')})`);
    const field = text.slice(0, at).trim();
    const value = text.slice(at + 1).trim();
    if (!isOverridable(field)) throw new OverrideError(`unknown field "${field}" (fields: ${overridableFields.join(', ')})`);
    if (field in out) throw new OverrideError(`${field} is set more than once`);
    if (value.length > maxValueLength) throw new OverrideError(`${field}: longer than ${maxValueLength} characters`);
    if (field === 'timeZone' && value !== '' && !isValidTimeZone(value)) throw new OverrideError(`timeZone: "${value}" is not an IANA time zone`);
    out[field] = value === '' ? null : value;
  }
  return out;
}

/** The worker's attributes with the overrides applied; the input is not changed. */
export function applyOverrides(worker: WorkerAttributes, overrides: Overrides): WorkerAttributes {
  const out: WorkerAttributes = { ...worker };
  for (const field of overridableFields) {
    const value = overrides[field];
    if (value === undefined) continue;
    if (value === null) delete out[field];
    else out[field] = value;
  }
  return out;
}

function isOverridable(field: string): field is OverridableField {
  return (overridableFields as readonly string[]).includes(field);
}
