/**
 * The list-query side of the Okta peer: `after` cursor pages with Link headers, and the `search`
 * expression language for groups as Okta documents it (operators eq, sw, co; `co` only on
 * profile.name and profile.description; logical and/or; string values compared case-insensitively).
 */
import type { Request, Response } from 'express';

/** One page of `items` after the `after` cursor, with Okta's Link headers naming the host the client called. */
export function oktaPage<T extends { id: string }>(
  req: Request,
  res: Response,
  items: T[],
  defaultLimit: number,
  fallbackHost: string,
  /** Where an item is in `items` (-1: not there), for long lists; default a scan. */
  positionOf: (id: string) => number = (id) => items.findIndex((i) => i.id === id),
): T[] {
  const limit = Math.max(1, Math.min(Number(req.query.limit ?? defaultLimit) || defaultLimit, 10_000));
  const after = typeof req.query.after === 'string' ? req.query.after : undefined;
  const from = after ? positionOf(after) + 1 : 0;
  const slice = items.slice(from, from + limit);
  const self = `${req.protocol}://${req.get('host') ?? fallbackHost}${req.baseUrl}${req.path}`;
  // Links keep the query (search, filter) so the next page continues the same listing, as Okta's do.
  const keep = Object.entries(req.query)
    .filter(([k, v]) => k !== 'after' && k !== 'limit' && typeof v === 'string')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v as string)}`);
  const query = (extra: string[]) => [...keep, ...extra].join('&');
  const links = [`<${self}?${query([`limit=${limit}`])}>; rel="self"`];
  const last = slice.at(-1);
  if (from + limit < items.length && last) links.push(`<${self}?${query([`after=${last.id}`, `limit=${limit}`])}>; rel="next"`);
  res.set('Link', links.join(', '));
  return slice;
}

export interface SearchableGroup {
  id: string;
  type: string;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  profile: Record<string, string | undefined>;
}

type Clause = { attr: string; op: 'eq' | 'sw' | 'co'; value: string };

/** A predicate for a group `search` expression, or undefined when Okta would answer 400 E0000031. */
export function groupSearch(expression: string): ((g: SearchableGroup) => boolean) | undefined {
  const clauses: Clause[] = [];
  const joins: ('and' | 'or')[] = [];
  let rest = expression.trim();
  for (;;) {
    const m = /^([A-Za-z][\w.]*)\s+(eq|sw|co)\s+"((?:[^"\\]|\\.)*)"/i.exec(rest);
    if (!m) return undefined;
    const attr = m[1]!;
    const op = m[2]!.toLowerCase() as Clause['op'];
    if (!isSearchable(attr) || (op === 'co' && attr !== 'profile.name' && attr !== 'profile.description')) return undefined;
    clauses.push({ attr, op, value: m[3]!.replace(/\\(.)/g, '$1').toLowerCase() });
    rest = rest.slice(m[0].length).trim();
    if (rest === '') break;
    const join = /^(and|or)\s+/i.exec(rest);
    if (!join) return undefined;
    joins.push(join[1]!.toLowerCase() as 'and' | 'or');
    rest = rest.slice(join[0].length);
  }
  return (g) => {
    let result = matches(g, clauses[0]!);
    clauses.slice(1).forEach((c, i) => {
      result = joins[i] === 'and' ? result && matches(g, c) : result || matches(g, c);
    });
    return result;
  };
}

function isSearchable(attr: string): boolean {
  return ['id', 'type', 'created', 'lastUpdated', 'lastMembershipUpdated'].includes(attr) || /^profile\.\w+$/.test(attr);
}

function matches(g: SearchableGroup, c: Clause): boolean {
  const raw = c.attr.startsWith('profile.') ? g.profile[c.attr.slice('profile.'.length)] : (g as unknown as Record<string, string>)[c.attr];
  if (typeof raw !== 'string') return false;
  const value = raw.toLowerCase();
  if (c.op === 'eq') return value === c.value;
  if (c.op === 'sw') return value.startsWith(c.value);
  return value.includes(c.value);
}
