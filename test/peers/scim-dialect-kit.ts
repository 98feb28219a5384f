/**
 * Shared pieces of the SCIM server dialects the peer can speak in front of scimmy: what a dialect
 * may ask of the store, cursor paging translated onto scimmy's startIndex, and rewriting the
 * JSON scimmy answers with into what the real server sends.
 */
import type { Request, Response } from 'express';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The store as a dialect sees it. */
export interface DialectStore {
  hasUser(id: string): boolean;
  hasGroup(id: string): boolean;
  isMember(groupId: string, userId: string): boolean;
}

export type Json = Record<string, unknown>;

/** Opaque cursors of the form servers hand out: base64 of the next offset. */
export const encodeCursor = (offset: number): string => Buffer.from(`o:${offset}`).toString('base64url');
export function decodeCursor(cursor: string): number | undefined {
  if (cursor === '') return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

/** Replaces the query scimmy will read (express 5 parses req.query from req.url on each read). */
export function setQuery(req: Request, query: Record<string, string>): void {
  const path = req.url.split('?')[0] ?? '';
  const qs = Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  req.url = qs ? `${path}?${qs}` : path;
}

export function stringQuery(req: Request): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.query)
      .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
      .map(([k, v]) => [k, String(v)]),
  );
}

/** Rewrites every JSON body sent on this response (scimmy answers with res.send(object)). */
export function rewriteJson(res: Response, rewrite: (body: Json, status: number) => Json): void {
  const json = res.json.bind(res);
  res.json = (body: unknown) => json(rewrite(JSON.parse(JSON.stringify(body)) as Json, res.statusCode));
}

export const isList = (body: Json): boolean => Array.isArray(body.schemas) && (body.schemas as string[]).includes(LIST_SCHEMA);
export const isError = (body: Json): boolean => Array.isArray(body.schemas) && (body.schemas as string[]).includes(ERROR_SCHEMA);

/** `attr op "value"` clauses joined by `and` only; undefined for anything else. */
export function andClauses(filter: string): { attr: string; op: string; value: string }[] | undefined {
  const out: { attr: string; op: string; value: string }[] = [];
  let rest = filter.trim();
  for (;;) {
    const m = /^(\S+)\s+(\w+)\s+"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (!m) return undefined;
    out.push({ attr: m[1]!, op: m[2]!.toLowerCase(), value: m[3]!.replace(/\\(["\\])/g, '$1') });
    rest = rest.slice(m[0].length).trim();
    if (rest === '') return out;
    const join = /^and\s+/i.exec(rest);
    if (!join) return undefined;
    rest = rest.slice(join[0].length);
  }
}

export const quoted = (value: string): string => JSON.stringify(value);
