import type { HrEvent } from './hr-event';

/**
 * Text that Postgres refuses to store, found before it gets there. A text or jsonb value cannot
 * hold NUL (U+0000) and jsonb refuses an unpaired UTF-16 surrogate; the other C0 control
 * characters are stored but are never part of an HR field, and break what reads them later
 * (CSV reports, SCIM and Okta requests, Slack messages), so they are refused too. Tab, CR and
 * LF are ordinary text. Pure; what it reports names where and why, never the value.
 */
export interface UnstorableText {
  /** Where, as a reader of the JSON would look for it: employees[1].fields.firstName. */
  path: string;
  reason: string;
}

// eslint-disable-next-line no-control-regex
const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const unsafeGlobal = new RegExp(`${control.source}|${unpairedSurrogate.source}`, 'g');

/** Why this string cannot be stored, or undefined when it can. */
export function unstorableReason(text: string): string | undefined {
  const bad = control.exec(text);
  if (bad) {
    const code = bad[0].charCodeAt(0);
    return code === 0 ? 'contains a NUL character' : `contains the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  if (unpairedSurrogate.test(text)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode text)';
  return undefined;
}

/** The first string (value or object key) in a JSON-like value that cannot be stored. */
export function findUnstorableText(value: unknown, path = ''): UnstorableText | undefined {
  if (typeof value === 'string') {
    const reason = unstorableReason(value);
    return reason ? { path: path || '(root)', reason } : undefined;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnstorableText(item, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const at = path ? `${path}.${safeKey(key)}` : safeKey(key);
      const keyReason = unstorableReason(key);
      if (keyReason) return { path: at, reason: `has a field name that ${keyReason}` };
      const found = findUnstorableText(item, at);
      if (found) return found;
    }
  }
  return undefined;
}

/** The first field of an HrEvent that cannot be stored (path relative to the event, e.g. worker.lastName). */
export function unstorableField(event: HrEvent): UnstorableText | undefined {
  return findUnstorableText(event);
}

/** A key as it may appear in a path: the characters that cannot be stored are shown as code points. */
function safeKey(key: string): string {
  return key.replace(unsafeGlobal, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
