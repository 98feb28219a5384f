import { expect } from 'vitest';
import { count, type Tally } from './fuzz-budget';
import { expectExplainedRefusal, expectNoServerError, expectUnchanged } from './fuzz-checks';
import { describeRequest, send, type FuzzRequest } from './fuzz-http';
import type { Source } from './fuzz-webhooks';
import type { FuzzWorld } from './fuzz-world';

/** One fuzzed webhook delivery, sent and held to the door's properties (see fuzz-checks.ts). */

const healthEvery = 50;

/** Refusals a webhook may give before it has read a signature: size, type, unreadable body. */
const preAuthStatuses = [400, 413, 415];

export async function forgedCase(world: FuzzWorld, req: FuzzRequest, tally: Tally, n: { cases: number }): Promise<void> {
  const before = await world.snapshot();
  const res = await send(world.engine.url, req);
  count(tally, String(res.status));
  expectNoServerError(req, res);
  expect([401, ...preAuthStatuses], `${describeRequest(req)}\n-> ${res.status} ${res.text}`).toContain(res.status);
  expectExplainedRefusal(req, res);
  if (res.status === 400) expect(res.json?.error, res.text).toBe('bad_request');
  expectUnchanged(req, res, before, await world.snapshot());
  if (++n.cases % healthEvery === 0) await world.expectHealthy();
}

/** Statuses a signed delivery may get: taken, refused for its content, or (Workday) not confirmed. */
const signedStatuses: Record<Source, number[]> = { bamboohr: [202, 400, 413, 415], workday: [202, 400, 409, 413, 415] };

export async function signedCase(world: FuzzWorld, source: Source, req: FuzzRequest, tally: Tally, n: { cases: number }): Promise<void> {
  const before = await world.snapshot();
  const res = await send(world.engine.url, req);
  const what = `${describeRequest(req)}\n-> ${res.status} ${res.text.slice(0, 400)}`;
  count(tally, `${res.status}${res.json?.error ? ` ${String(res.json.error)}` : ''}`);
  expectNoServerError(req, res);
  // The signature covers the bytes the engine reads: once a Content-Encoding has been undone
  // they are not the bytes signed, so such a delivery may be refused as unsigned.
  const encoded = ![undefined, 'identity'].includes(req.headers?.['content-encoding']);
  expect([...signedStatuses[source], ...(encoded ? [401] : [])], what).toContain(res.status);
  expectExplainedRefusal(req, res);
  if (res.status === 400 && res.json?.error === 'invalid_payload') {
    // A semantically invalid body names its field, and the message starts with it.
    expect(typeof res.json.field, what).toBe('string');
    expect(String(res.json.message).startsWith(`${String(res.json.field)}: `), what).toBe(true);
  }
  if (res.status >= 400) {
    // The inbox and the approvals are written only on the accepting path; a Workday 409 records
    // its refusal as evidence (hr_event.unconfirmed) by design, and earlier accepted events may
    // still be writing evidence and to the targets, so those are checked in the forged batches.
    expectUnchanged(req, res, before, await world.snapshot(), ['evidence', 'targetWrites']);
  }
  if (++n.cases % healthEvery === 0) await world.expectHealthy();
}
