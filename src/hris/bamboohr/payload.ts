import { z } from 'zod';

/**
 * The two JSON bodies a BambooHR webhook posts (documentation.bamboohr.com, "Event-Based
 * Webhooks" and "Field-Based Webhooks"):
 *   event-based  {type: "employee.updated", timestamp, data: {companyId, employeeId, changedFields}}
 *   field-based  {employees: [{action: "Updated", changedFields, fields, id, timestamp}]}
 * Unknown extra keys are tolerated (BambooHR may add some); what we rely on is checked.
 */

export const bambooEventTypes = ['employee.created', 'employee.updated', 'employee.deleted'] as const;
export type BambooEventType = (typeof bambooEventTypes)[number];

export const bambooFieldActions = ['Created', 'Updated', 'Deleted'] as const;
export type BambooFieldAction = (typeof bambooFieldActions)[number];

/** Field values as BambooHR reports them: strings, or null for "no value". */
export type BambooFieldValues = Record<string, string | null>;

// IDs end up in workflow IDs, so they are held to a small safe alphabet.
const employeeId = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .pipe(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"'));

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Created and Deleted entries carry "empty" lists, which a PHP encoder may write as {} or [].
const fieldNames = z.preprocess(
  (value) => (value === undefined || value === null ? [] : isPlainObject(value) ? Object.values(value) : value),
  z.array(z.string()),
);

const fieldValues = z.preprocess(
  (value) => (value === undefined || value === null || (Array.isArray(value) && value.length === 0) ? {} : value),
  z.record(z.string(), z.unknown()).transform((record) => {
    // Scalars become strings as the API returns them; nested values are not employee fields we use.
    const out: BambooFieldValues = {};
    for (const [key, value] of Object.entries(record)) {
      if (value === null) out[key] = null;
      else if (typeof value === 'string') out[key] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
    }
    return out;
  }),
);

const timestamp = z.string().trim().min(1);

export const bambooEventPayloadSchema = z.object({
  type: z.enum(bambooEventTypes),
  timestamp,
  data: z.object({
    companyId: z.union([z.string(), z.number()]).transform(String).optional(),
    employeeId,
    changedFields: fieldNames,
  }),
});
export type BambooEventPayload = z.infer<typeof bambooEventPayloadSchema>;

export const bambooFieldEntrySchema = z.object({
  action: z.enum(bambooFieldActions),
  changedFields: fieldNames,
  fields: fieldValues,
  id: employeeId,
  // Documented as present; older global webhooks may omit it, so it is optional.
  timestamp: timestamp.optional(),
});
export type BambooFieldEntry = z.infer<typeof bambooFieldEntrySchema>;

export const bambooFieldPayloadSchema = z.object({ employees: z.array(bambooFieldEntrySchema).min(1) });
export type BambooFieldPayload = z.infer<typeof bambooFieldPayloadSchema>;

export type BambooPayload = { format: 'event'; body: BambooEventPayload } | { format: 'field'; body: BambooFieldPayload };

export type PayloadParseResult = { ok: true; payload: BambooPayload } | { ok: false; path: string; message: string };

/** Parses a JSON value into one of the two payload kinds; a failure names the field path and why. */
export function parseBambooPayload(raw: unknown): PayloadParseResult {
  if (!isPlainObject(raw)) {
    return { ok: false, path: '(root)', message: `must be a JSON object, got ${describeType(raw)}` };
  }
  if ('employees' in raw) {
    const result = bambooFieldPayloadSchema.safeParse(raw);
    return result.success ? { ok: true, payload: { format: 'field', body: result.data } } : failure(raw, result.error);
  }
  if ('type' in raw || 'data' in raw) {
    const result = bambooEventPayloadSchema.safeParse(raw);
    return result.success ? { ok: true, payload: { format: 'event', body: result.data } } : failure(raw, result.error);
  }
  return {
    ok: false,
    path: '(root)',
    message: 'neither an event-based payload {type, timestamp, data} nor a field-based payload {employees: [...]}',
  };
}

function failure(raw: unknown, error: z.ZodError): { ok: false; path: string; message: string } {
  const issue = error.issues[0]!;
  return { ok: false, path: formatPath(issue.path), message: explainIssue(raw, issue) };
}

/** employees[0].fields.status style, as a reader of the JSON would look for it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

function explainIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  const value = valueAt(raw, issue.path);
  if (value === undefined) return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${article(issue.expected)}, got ${describeType(value)}`;
    case 'invalid_union': // only the ID unions: string or number
      return `must be a string or a number, got ${describeType(value)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${
        typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : describeType(value)
      }`;
    case 'too_small':
      return issue.origin === 'array' ? 'must not be empty' : issue.origin === 'string' ? 'must not be blank' : issue.message;
    default:
      return issue.message;
  }
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : article(typeof value);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
