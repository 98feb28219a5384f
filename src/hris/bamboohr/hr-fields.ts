import type { HrFieldsConfig } from '../../config/file';
import type { BambooFieldValues } from './payload';

/**
 * The extra HR fields of identity.hrFields that BambooHR keeps (e.g. githubLogin in the custom
 * field customGitHubUsername), found in payloads and API records. Pure.
 *
 * BambooHR names one field several ways, and the config may use any of them: the API name
 * (customGitHubUsername), an admin-chosen alias, a numeric field ID (4047), or the English
 * label field-based webhooks post by default (GitHub Username). Names are compared folded
 * (case and punctuation ignored), and since BambooHR names a custom field's API alias
 * "custom" + its label ("Field Name" -> customFieldName), a leading "custom" may be missing on
 * either side. An exact folded match wins over one found that way.
 */
export interface BambooHrField {
  /** The name in identity.hrFields, e.g. githubLogin. */
  name: string;
  /** The BambooHR field as configured. */
  field: string;
}

/** Declared HR fields BambooHR keeps, in config order; empty when none names a BambooHR field. */
export type BambooHrFields = readonly BambooHrField[];

/** Values of declared fields by their name in identity.hrFields; null where BambooHR has none. */
export type HrFieldValues = Record<string, string | null>;

export function bambooHrFields(config: HrFieldsConfig | undefined): BambooHrField[] {
  return Object.entries(config ?? {}).flatMap(([name, source]) => (source.bamboohr ? [{ name, field: source.bamboohr }] : []));
}

/** A BambooHR field name compared case- and punctuation-insensitively (Job Title = jobTitle). */
export const foldFieldName = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

const withoutCustom = (folded: string): string => (folded.startsWith('custom') && folded.length > 'custom'.length ? folded.slice('custom'.length) : folded);

/** The key of a payload's fields that holds this field, if any: an exact folded match first. */
function payloadKeyOf(values: BambooFieldValues, field: string): string | undefined {
  const wanted = foldFieldName(field);
  const keys = Object.keys(values);
  const exact = keys.find((key) => foldFieldName(key) === wanted);
  if (exact !== undefined) return exact;
  const loose = withoutCustom(wanted);
  return keys.find((key) => withoutCustom(foldFieldName(key)) === loose);
}

/** The key of an API record that holds this field: the API answers under the name it was asked. */
function recordKeyOf(values: BambooFieldValues, field: string): string | undefined {
  const asked = foldFieldName(bambooApiFieldName(field));
  return Object.keys(values).find((key) => foldFieldName(key) === asked);
}

/**
 * The declared fields a field-based payload's `fields` carries (keyed by label, alias or API
 * name), by their name in identity.hrFields. A field the payload does not mention is left out;
 * one it carries without a value is null.
 */
export function hrFieldsInPayload(values: BambooFieldValues, declared: BambooHrFields): HrFieldValues {
  return pick(values, declared, payloadKeyOf);
}

/**
 * The declared fields of an employee record as GET /v1/employees/{id} returns it (keyed by the
 * names asked for, see bambooApiFieldName). Matched exactly: a record also holds standard fields
 * that a loose match could mistake for a custom one the API left out (customDepartment).
 */
export function hrFieldsInRecord(values: BambooFieldValues, declared: BambooHrFields): HrFieldValues {
  return pick(values, declared, recordKeyOf);
}

function pick(values: BambooFieldValues, declared: BambooHrFields, keyOf: (values: BambooFieldValues, field: string) => string | undefined): HrFieldValues {
  const out: HrFieldValues = {};
  for (const { name, field } of declared) {
    const key = keyOf(values, field);
    if (key !== undefined) out[name] = values[key] ?? null;
  }
  return out;
}

const apiNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$|^\d+(\.\d+)?$/;

/**
 * What GET /v1/employees/{id}?fields= asks for a declared field: its API name or ID as
 * configured, and for a label (GitHub Username) the alias BambooHR gives such a custom field
 * (customGitHubUsername). The API knows fields by alias or ID only, and leaves out names it
 * does not know.
 */
export function bambooApiFieldName(field: string): string {
  const trimmed = field.trim();
  if (apiNamePattern.test(trimmed)) return trimmed;
  const words = trimmed.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (words.length === 0) return trimmed;
  return `custom${words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}`;
}

/** The API names of every declared field, once each. */
export function bambooApiFieldNames(declared: BambooHrFields): string[] {
  return [...new Set(declared.map((d) => bambooApiFieldName(d.field)))];
}

/** The worker's hrFields: values trimmed, blanks left out; undefined when none has a value. */
export function workerHrFields(values: HrFieldValues): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const text = value?.trim();
    if (text) out[name] = text;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
