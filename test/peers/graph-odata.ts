/**
 * The OData query options the Graph peer understands, as Graph's directory objects support them
 * without advanced queries: $filter with `prop eq 'literal'` clauses joined by `or` (string
 * comparisons ignore case), $select, $top (1-999) and server-driven paging through
 * @odata.nextLink carrying a $skiptoken. Anything else is refused as Graph refuses it.
 */

export interface GraphAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export function graphError(status: number, code: string, message: string, extra: Record<string, unknown> = {}): GraphAnswer {
  const innerError = { date: new Date().toISOString().slice(0, 19), 'request-id': crypto.randomUUID(), 'client-request-id': crypto.randomUUID() };
  return { status, body: { error: { code, message, ...extra, innerError } } };
}

export const notFound = (id: string) =>
  graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

type Item = Record<string, unknown>;

/** A predicate from $filter, or an error answer. */
export function parseFilter(filter: string | null, filterable: readonly string[]): ((item: Item) => boolean) | GraphAnswer {
  if (filter === null) return () => true;
  const clauses: { prop: string; value: string | boolean }[] = [];
  const clause = /^\s*([A-Za-z]+)\s+eq\s+(?:'((?:[^']|'')*)'|(true|false))\s*/;
  let rest = filter;
  for (;;) {
    const match = clause.exec(rest);
    if (!match) return graphError(400, 'Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified.');
    const prop = match[1]!;
    if (!filterable.includes(prop)) return graphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${prop}'.`);
    clauses.push({ prop, value: match[2] !== undefined ? match[2].replace(/''/g, "'") : match[3] === 'true' });
    rest = rest.slice(match[0].length);
    if (rest === '') break;
    const or = /^or\s+/.exec(rest);
    if (!or) return graphError(400, 'Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified.');
    rest = rest.slice(or[0].length);
  }
  return (item) =>
    clauses.some(({ prop, value }) => {
      const actual = item[prop];
      if (typeof value === 'boolean') return actual === value;
      return typeof actual === 'string' && actual.toLowerCase() === value.toLowerCase();
    });
}

/** Properties to return: $select's (each must exist), else the type's default set. */
export function parseSelect(select: string | null, known: readonly string[], defaults: readonly string[], typeName: string): string[] | GraphAnswer {
  if (select === null) return [...defaults];
  const props = select.split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = props.find((p) => !known.includes(p));
  if (unknown) return graphError(400, 'Request_BadRequest', `Could not find a property named '${unknown}' on type '${typeName}'.`);
  return props.includes('id') ? props : ['id', ...props];
}

export function pick(item: Item, props: readonly string[]): Item {
  return Object.fromEntries(props.map((p) => [p, item[p] ?? null]));
}

export interface PageRequest {
  /** Where the collection lives, absolute, without a query (e.g. http://127.0.0.1:1234/v1.0/users). */
  url: string;
  query: URLSearchParams;
  /** The peer's page size: Graph pages server-side whatever $top asks. */
  pageLimit: number;
  maxTop: number;
}

/** One page of `items` and the nextLink to the rest, or an error answer for a bad $top or $skiptoken. */
export function page(items: readonly Item[], request: PageRequest, context: string): GraphAnswer {
  const topText = request.query.get('$top');
  const top = topText === null ? 100 : Number(topText);
  if (!Number.isInteger(top) || top < 1 || top > request.maxTop) {
    return graphError(400, 'Request_BadRequest', `Invalid page size specified: '${topText}'. Must be between 1 and ${request.maxTop} inclusive.`);
  }
  const token = request.query.get('$skiptoken');
  const offset = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^offset:/, ''));
  if (!Number.isInteger(offset) || offset < 0) return graphError(400, 'Directory_ExpiredPageToken', 'The specified page token value has expired and can no longer be included in your request.');
  const size = Math.min(top, request.pageLimit);
  const value = items.slice(offset, offset + size);
  const body: Record<string, unknown> = { '@odata.context': context, value };
  if (offset + size < items.length) {
    const next = new URLSearchParams(request.query);
    next.set('$skiptoken', Buffer.from(`offset:${offset + size}`).toString('base64url'));
    body['@odata.nextLink'] = `${request.url}?${next.toString().replace(/%24/g, '$')}`;
  }
  return { status: 200, body };
}
