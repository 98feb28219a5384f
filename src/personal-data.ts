/**
 * Scrubbing personal data out of text that leaves the process as a message: error messages,
 * Temporal failures, evidence reasons and log lines. Names cannot be told by their shape, so
 * they are kept out by design (errors name systems and IDs) and by the logger's key redaction;
 * what has a shape (an email address, plain or URL-encoded) is replaced wherever it appears.
 */

export const REDACTED = '[redacted]';

/** An email address, also URL-encoded (%40) as it travels in a URL path or query. */
const EMAIL = /[A-Za-z0-9._%+'-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/gi;

/** `text` with every email address, and each of `values` (plain or URL-encoded), replaced. */
export function scrubPersonal(text: string, values: readonly string[] = []): string {
  let out = text.replace(EMAIL, REDACTED);
  for (const value of values) {
    if (value.length < 3) continue;
    for (const form of new Set([value, encodeURIComponent(value)])) out = replaceAll(out, form);
  }
  return out;
}

/**
 * A URL path as messages may show it: a segment that carries a login (an address, anything
 * URL-encoded) becomes `{login}`; opaque IDs and route words stay.
 */
export function redactPath(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => (/[@%+\s]/.test(segment) ? '{login}' : segment))
    .join('/');
}

/** The path segments and query values redactPath and a query-less label leave out, decoded, to scrub from vendor text. */
export function personalPartsOf(url: URL): string[] {
  const parts: string[] = [];
  for (const segment of url.pathname.split('/')) if (/[@%+\s]/.test(segment)) parts.push(safeDecode(segment));
  for (const value of url.searchParams.values()) {
    if (value.includes('@')) parts.push(value);
    // Filters quote the value they look for: userName eq "jane@acme.com", profile.login eq "jane".
    for (const quoted of value.matchAll(/"((?:[^"\\]|\\.)+)"/g)) parts.push(quoted[1]!);
  }
  return parts.filter((p) => p.length >= 3);
}

function replaceAll(text: string, value: string): string {
  // Case-insensitive: vendors echo a login in their own case.
  const pattern = new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  return text.replace(pattern, REDACTED);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
