/**
 * The two ways SCIM servers page a list: RFC 7644's startIndex/count and cursors (RFC 9865, and
 * AWS IAM Identity Center's own `cursor`/`nextCursor`). Each stops only at its documented end;
 * anything else (a page cap reached, a server that ignored the paging parameters, a list that
 * ends short of its own totalResults) is an error, never a shorter list passing for the whole.
 * Pages are handed on one at a time, so a listing of every user never sits in memory whole.
 */
import { ConnectorError } from '../errors';
import type { JsonHttpClient, JsonResponse } from '../http';
import { readListPage, type ScimListPage } from './convert';

export interface PagingLimits {
  pageSize: number;
  maxPages: number;
}

/** A ListResponse, or 'unavailable' when the answer is anything else. */
export function listPageOf(system: string, res: JsonResponse, path: string): ScimListPage {
  const page = readListPage(res.body);
  if (page) return page;
  throw new ConnectorError('unavailable', `${system}: GET ${path} answered ${res.status} with something that is not a SCIM ListResponse`, system, res.status);
}

function refusal(http: JsonHttpClient, path: string): (why: string) => ConnectorError {
  return (why) => new ConnectorError('unavailable', `${http.system}: GET ${path} ${why}; refusing a partial list`, http.system);
}

/** RFC 7644 3.4.2.4: startIndex/count until totalResults is reached, one page at a time. */
export async function* pagesByIndex(http: JsonHttpClient, path: string, query: Record<string, string>, limits: PagingLimits): AsyncGenerator<unknown[]> {
  const fail = refusal(http, path);
  let seen = 0;
  for (let page = 0, startIndex = 1; ; page++) {
    if (page >= limits.maxPages) throw fail(`still had more after ${limits.maxPages} pages`);
    const res = await http.get(path, { query: { ...query, startIndex, count: limits.pageSize } });
    const list = listPageOf(http.system, res, path);
    if (list.totalResults === undefined) throw fail('answered without totalResults, so the end of the list cannot be told');
    if (list.startIndex !== undefined && list.startIndex !== startIndex) throw fail(`answered startIndex ${list.startIndex} when asked for ${startIndex} (paging ignored)`);
    seen += list.resources.length;
    const done = seen >= list.totalResults;
    if (!done && list.resources.length === 0) throw fail(`ended after ${seen} of ${list.totalResults} results`);
    if (!done && list.startIndex === undefined) throw fail('answered part of the results without startIndex (RFC 7644 requires it)');
    yield list.resources;
    if (done) return;
    startIndex += list.resources.length;
  }
}

/** Cursor paging: `cursor` empty on the first request, then each nextCursor until a page has none. */
export async function* pagesByCursor(http: JsonHttpClient, path: string, query: Record<string, string>, limits: PagingLimits): AsyncGenerator<unknown[]> {
  const fail = refusal(http, path);
  const cursors = new Set<string>();
  let seen = 0;
  for (let page = 0, cursor = ''; ; page++) {
    if (page >= limits.maxPages) throw fail(`still had more after ${limits.maxPages} pages`);
    const res = await http.get(path, { query: { ...query, cursor, count: limits.pageSize } });
    const list = listPageOf(http.system, res, path);
    seen += list.resources.length;
    if (!list.nextCursor) {
      // A server that answered index-style instead says how many there were: it must be all of them.
      if (list.totalResults !== undefined && list.totalResults > seen) throw fail(`answered ${seen} of ${list.totalResults} results without a next cursor`);
      yield list.resources;
      return;
    }
    if (cursors.has(list.nextCursor)) throw fail('handed back a cursor it had already given (paging loops)');
    cursors.add(list.nextCursor);
    yield list.resources;
    cursor = list.nextCursor;
  }
}

/** Every page of a listing, collected (for lists that are small by nature: a user's groups, a name search). */
export async function collectPages(pages: AsyncIterable<unknown[]>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

export function listByIndex(http: JsonHttpClient, path: string, query: Record<string, string>, limits: PagingLimits): Promise<unknown[]> {
  return collectPages(pagesByIndex(http, path, query, limits));
}

export function listByCursor(http: JsonHttpClient, path: string, query: Record<string, string>, limits: PagingLimits): Promise<unknown[]> {
  return collectPages(pagesByCursor(http, path, query, limits));
}
