/**
 * The two ways SCIM servers page a list: RFC 7644's startIndex/count and cursors (RFC 9865, and
 * AWS IAM Identity Center's own `cursor`/`nextCursor`). Each stops only at its documented end;
 * anything else (a page cap reached, a server that ignored the paging parameters, a list that
 * ends short of its own totalResults) is an error, never a shorter list passing for the whole.
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

/** RFC 7644 3.4.2.4: startIndex/count until totalResults is reached. */
export async function listByIndex(http: JsonHttpClient, path: string, query: Record<string, string>, limits: PagingLimits): Promise<unknown[]> {
  const out: unknown[] = [];
  const fail = (why: string) => new ConnectorError('unavailable', `${http.system}: GET ${path} ${why}; refusing a partial list`, http.system);
  for (let page = 0, startIndex = 1; ; page++) {
    if (page >= limits.maxPages) throw fail(`still had more after ${limits.maxPages} pages`);
    const res = await http.get(path, { query: { ...query, startIndex, count: limits.pageSize } });
    const list = listPageOf(http.system, res, path);
    if (list.totalResults === undefined) throw fail('answered without totalResults, so the end of the list cannot be told');
    if (list.startIndex !== undefined && list.startIndex !== startIndex) throw fail(`answered startIndex ${list.startIndex} when asked for ${startIndex} (paging ignored)`);
    out.push(...list.resources);
    if (out.length >= list.totalResults) return out;
    if (list.resources.length === 0) throw fail(`ended after ${out.length} of ${list.totalResults} results`);
    if (list.startIndex === undefined) throw fail('answered part of the results without startIndex (RFC 7644 requires it)');
    startIndex += list.resources.length;
  }
}

/** Cursor paging: `cursor` empty on the first request, then each nextCursor until a page has none. */
export async function listByCursor(http: JsonHttpClient, path: string, query: Record<string, string>, limits: PagingLimits): Promise<unknown[]> {
  const out: unknown[] = [];
  const seen = new Set<string>();
  const fail = (why: string) => new ConnectorError('unavailable', `${http.system}: GET ${path} ${why}; refusing a partial list`, http.system);
  for (let page = 0, cursor = ''; ; page++) {
    if (page >= limits.maxPages) throw fail(`still had more after ${limits.maxPages} pages`);
    const res = await http.get(path, { query: { ...query, cursor, count: limits.pageSize } });
    const list = listPageOf(http.system, res, path);
    out.push(...list.resources);
    if (!list.nextCursor) {
      // A server that answered index-style instead says how many there were: it must be all of them.
      if (list.totalResults !== undefined && list.totalResults > out.length) throw fail(`answered ${out.length} of ${list.totalResults} results without a next cursor`);
      return out;
    }
    if (seen.has(list.nextCursor)) throw fail('handed back a cursor it had already given (paging loops)');
    seen.add(list.nextCursor);
    cursor = list.nextCursor;
  }
}
