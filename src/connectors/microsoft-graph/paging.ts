/** Reading Graph answers: bodies checked against their schema, collections followed through @odata.nextLink. */
import type { z } from 'zod';
import { ConnectorError } from '../errors';
import type { HttpMethod, JsonHttpClient, JsonResponse, RequestOptions } from '../http';

/** The body as `schema` describes it, or 'unavailable': a 2xx with another body is not Graph answering. */
export function parseAnswer<S extends z.ZodType>(system: string, schema: S, res: JsonResponse, method: HttpMethod, path: string): z.infer<S> {
  const parsed = schema.safeParse(res.body);
  if (parsed.success) return parsed.data;
  throw new ConnectorError('unavailable', `${system}: ${method} ${path} answered ${res.status} with an unexpected body`, system, res.status);
}

type Page<T> = { value: T[]; '@odata.nextLink'?: string | null };

/**
 * Every page of a collection, one at a time, from `first` (already fetched) on. A page that fails
 * or has another shape throws; a next link that repeats is an error, never an endless or short list.
 */
export async function* followPages<T>(
  http: JsonHttpClient,
  schema: z.ZodType<Page<T>>,
  first: JsonResponse,
  path: string,
  options: Pick<RequestOptions, 'label' | 'headers'> = {},
): AsyncGenerator<T[]> {
  const shown = options.label ?? path;
  let page = parseAnswer(http.system, schema, first, 'GET', shown);
  const seen = new Set<string>();
  for (;;) {
    yield page.value;
    const next = page['@odata.nextLink'];
    if (!next) return;
    if (seen.has(next)) throw new ConnectorError('unavailable', `${http.system}: GET ${shown} repeated a next link; refusing a partial list`, http.system);
    seen.add(next);
    page = parseAnswer(http.system, schema, await http.get(next, options), 'GET', shown);
  }
}

/** Every item of every page. */
export async function allItems<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}
