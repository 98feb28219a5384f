import { expect } from 'vitest';
import { describeRequest, type FuzzRequest, type FuzzResponse } from './fuzz-http';
import type { FuzzWorld, Snapshot } from './fuzz-world';

/**
 * The properties every fuzzed request is held to. A 5xx is allowed only where DESIGN.md and
 * README document one: 503 when an event could not be made durable or the HRIS could not be
 * read (both with Retry-After, so the sender retries), 502 when the HRIS refused the
 * engine's read-back. Everything else a request can provoke is its sender's mistake: 4xx.
 */
export type DocumentedOutage = 'inbox_unavailable' | 'hris_unavailable' | 'hris_error' | 'temporal_unavailable';

export function expectNoServerError(req: FuzzRequest, res: FuzzResponse, documented: readonly DocumentedOutage[] = []): void {
  const what = `${describeRequest(req)}\n-> ${res.status} ${res.text.slice(0, 400)}`;
  if (res.status >= 500) {
    const code = res.json?.error;
    const allowed = typeof code === 'string' && (documented as readonly string[]).includes(code) && (res.status === 502 ? code === 'hris_error' : res.status === 503);
    expect(allowed, `undocumented ${res.status}: ${what}`).toBe(true);
  }
  expect(res.status, what).toBeGreaterThanOrEqual(100);
}

/**
 * A 4xx answers with a JSON `{error, message}`. Not HEAD (no body to carry it), and not Slack's
 * door: Bolt answers Slack with a bare status, which is all Slack reads. The console answers
 * browsers with a page that says what happened (its heading, and the text in an alert).
 */
export function expectExplainedRefusal(req: FuzzRequest, res: FuzzResponse): void {
  if (res.status < 400 || res.status >= 500 || req.method === 'HEAD' || /^\/slack\/events(\?|$)/.test(req.path)) return;
  const what = `${describeRequest(req)}\n-> ${res.status} ${res.text.slice(0, 400)}`;
  if (/^\/console(?:[/?]|$)/.test(req.path)) {
    expect(String(res.headers['content-type']), what).toMatch(/^text\/html/);
    expect(res.text, what).toMatch(/<h1>[^<]+<\/h1>[\s\S]*role="alert"/);
    return;
  }
  expect(typeof res.json?.error, what).toBe('string');
  expect(typeof res.json?.message, what).toBe('string');
}

/** Nothing a refused request can have changed did change. */
export function expectUnchanged(req: FuzzRequest, res: FuzzResponse, before: Snapshot, after: Snapshot, ignore: readonly (keyof Snapshot)[] = []): void {
  const pick = (s: Snapshot) => Object.fromEntries(Object.entries(s).filter(([k]) => !ignore.includes(k as keyof Snapshot)));
  expect(pick(after), `refused request changed state: ${describeRequest(req)}\n-> ${res.status} ${res.text.slice(0, 400)}`).toEqual(pick(before));
}

/**
 * Around a batch of requests that must all be refused: no workflow started on the engine's
 * task queue (visibility is eventually consistent, so it is read after a short settle), and
 * the app still healthy.
 */
export async function refusedBatch(world: FuzzWorld, run: () => Promise<void>): Promise<void> {
  const workflowsBefore = await world.workflowCount();
  await run();
  await new Promise((r) => setTimeout(r, 1000));
  expect(await world.workflowCount(), 'a refused request started a workflow').toBe(workflowsBefore);
  await world.expectHealthy();
}
