/**
 * Graph's JSON batching (POST /$batch): up to 20 independent requests in one call. The batch
 * answers 200 when it could be read; each inner request has its own status, headers and body, in
 * any order (matched by id). Graph throttles inner requests one by one: an inner 429 (or a 503 with
 * Retry-After) carries its own Retry-After, and only those requests are sent again, together, after
 * the longest wait they asked for; the others' answers are kept. A batch spends one request of the
 * pacer's budget per inner request, as Graph counts them against its limits.
 */
import { z } from 'zod';
import { ConnectorError } from '../errors';
import type { JsonHttpClient } from '../http';
import type { Pacer } from '../pacer';
import { isEndingSessions } from '../urgency';
import { retryAfterValueMs } from './convert';
import { parseAnswer } from './paging';

export const MAX_BATCH_REQUESTS = 20;
const BATCH = '/$batch';

export interface BatchRequest {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the Graph version root, e.g. /groups/{id}/members/{id}/$ref */
  url: string;
  body?: unknown;
}

export interface BatchAnswer {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: unknown;
}

export interface BatchOptions {
  pacer?: Pacer;
  /** Longest inner Retry-After waited for here; longer ones are answered as they came (default 5 s). */
  maxInlineWaitMs?: number;
  /** Times throttled inner requests are sent again (default 3). */
  maxRetries?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const batchResponseSchema = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).nullish(),
      body: z.unknown().optional(),
    }),
  ),
});

export function isThrottledAnswer(answer: BatchAnswer): boolean {
  return answer.status === 429 || (answer.status === 503 && answer.headers['retry-after'] !== undefined);
}

/** Each request's answer, by id. Throws only when a whole batch call failed. */
export async function sendBatch(http: JsonHttpClient, requests: readonly BatchRequest[], options: BatchOptions = {}): Promise<Map<string, BatchAnswer>> {
  const answers = new Map<string, BatchAnswer>();
  for (let at = 0; at < requests.length; at += MAX_BATCH_REQUESTS) {
    for (const [id, answer] of await sendChunk(http, requests.slice(at, at + MAX_BATCH_REQUESTS), options)) answers.set(id, answer);
  }
  return answers;
}

async function sendChunk(http: JsonHttpClient, chunk: readonly BatchRequest[], options: BatchOptions): Promise<Map<string, BatchAnswer>> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const maxWait = options.maxInlineWaitMs ?? 5_000;
  const answers = new Map<string, BatchAnswer>();
  let pending = [...chunk];
  for (let round = 0; ; round++) {
    for (const [id, answer] of await post(http, pending, options.pacer)) answers.set(id, answer);
    const throttled = pending.filter((r) => isThrottledAnswer(answers.get(r.id)!));
    if (throttled.length === 0 || round >= (options.maxRetries ?? 3)) return answers;
    const waitMs = Math.max(...throttled.map((r) => retryAfterValueMs(answers.get(r.id)!.headers['retry-after'], now()) ?? 1000));
    if (waitMs > maxWait) return answers;
    await sleep(waitMs);
    pending = throttled;
  }
}

async function post(http: JsonHttpClient, requests: readonly BatchRequest[], pacer: Pacer | undefined): Promise<Map<string, BatchAnswer>> {
  // The batch call itself takes one permit from the client; the other inner requests spend the budget here.
  for (let i = 1; i < requests.length; i++) (await pacer?.acquire('graph $batch inner', { endsSessions: isEndingSessions() }))?.done();
  const body = {
    requests: requests.map((r) => ({
      id: r.id,
      method: r.method,
      url: r.url,
      ...(r.body === undefined ? {} : { body: r.body, headers: { 'Content-Type': 'application/json' } }),
    })),
  };
  const res = await http.request('POST', BATCH, { body });
  const parsed = parseAnswer(http.system, batchResponseSchema, res, 'POST', BATCH);
  const answers = new Map<string, BatchAnswer>();
  for (const r of parsed.responses) {
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    answers.set(r.id, { status: r.status, headers, body: r.body });
  }
  const missing = requests.filter((r) => !answers.has(r.id));
  if (missing.length > 0) {
    throw new ConnectorError('unavailable', `${http.system}: POST ${BATCH} answered without ${missing.length} of its ${requests.length} requests`, http.system, res.status);
  }
  return answers;
}
