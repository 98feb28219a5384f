import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, fuzz, type Tally } from '../harness/fuzz-budget';
import { expectExplainedRefusal, expectNoServerError, expectUnchanged, refusedBatch } from '../harness/fuzz-checks';
import { anyJson, describeRequest, mutated, send, type FuzzRequest } from '../harness/fuzz-http';
import { forgedDelivery, signedDelivery, validBambooPayload, validWorkdayNotification, type Source } from '../harness/fuzz-webhooks';
import { startFuzzWorld, type FuzzWorld } from '../harness/fuzz-world';

/**
 * POST /webhooks/bamboohr and /webhooks/workday under fuzzing: forged deliveries (every one
 * refused, nothing stored or started, no target touched), then signed ones with fuzzed and
 * near-valid bodies (a refusal stores nothing and a semantically invalid body is a 400 naming
 * the field). Forged batches run first: later accepted events start workflows of their own.
 */
let world: FuzzWorld;

beforeAll(async () => {
  world = await startFuzzWorld();
});

afterAll(async () => {
  await world?.close();
});

const healthEvery = 50;

/** Refusals a webhook may give before it has read a signature: size, type, unreadable body. */
const preAuthStatuses = [400, 413, 415];

async function forgedCase(req: FuzzRequest, tally: Tally, n: { cases: number }): Promise<void> {
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

async function signedCase(source: Source, req: FuzzRequest, tally: Tally, n: { cases: number }): Promise<void> {
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

describe('HR webhooks under fuzzing', () => {
  it('http.bamboohr.forged: a delivery without the right signature is refused and leaves nothing', async () => {
    const tally: Tally = new Map();
    const n = { cases: 0 };
    await refusedBatch(world, () =>
      fuzz('http.bamboohr.forged', fc.asyncProperty(forgedDelivery('bamboohr', fc.oneof(validBambooPayload, mutated(validBambooPayload), anyJson)), (req) => forgedCase(req, tally, n)), { tally }),
    );
  });

  it('http.workday.forged: a notification without the right signature is refused and leaves nothing', async () => {
    const tally: Tally = new Map();
    const n = { cases: 0 };
    await refusedBatch(world, () =>
      fuzz('http.workday.forged', fc.asyncProperty(forgedDelivery('workday', fc.oneof(validWorkdayNotification, mutated(validWorkdayNotification), anyJson)), (req) => forgedCase(req, tally, n)), {
        tally,
      }),
    );
    expect(world.workday.requests(), 'a forged notification made the engine read Workday').toHaveLength(0);
  });

  it('http.workday.outage: while Workday cannot be read a notification is refused with the documented 503 or 502, and nothing is stored', async () => {
    const tally: Tally = new Map();
    await refusedBatch(world, () =>
      fuzz(
        'http.workday.outage',
        fc.asyncProperty(fc.constantFrom(500, 502, 503, 504, 401, 403, 429), signedDelivery('workday', validWorkdayNotification), async (status, req) => {
          world.workday.failWith(status);
          try {
            const before = await world.snapshot();
            const res = await send(world.engine.url, req);
            const what = `Workday answering ${status}: ${describeRequest(req)}\n-> ${res.status} ${res.text.slice(0, 400)}`;
            count(tally, `${status}->${res.status} ${String(res.json?.error)}`);
            // Not a mapped process (the engine acts on none of it) needs no read-back: 202, ignored.
            if (res.status === 202) expect(res.json?.ignored, what).toBe(1);
            else {
              expectNoServerError(req, res, ['hris_unavailable', 'hris_error']);
              expect([502, 503], what).toContain(res.status);
              if (res.status === 503) expect(res.headers['retry-after'], what).toBe('30');
            }
            expectUnchanged(req, res, before, await world.snapshot());
          } finally {
            world.workday.failWith(undefined);
          }
        }),
        { tally },
      ),
    );
  });

  it('http.bamboohr.signed: any signed body, type and encoding gets a 2xx or an explained 4xx, never a 5xx', async () => {
    const tally: Tally = new Map();
    const n = { cases: 0 };
    await fuzz('http.bamboohr.signed', fc.asyncProperty(signedDelivery('bamboohr', fc.oneof(anyJson, validBambooPayload), { odd: true }), (req) => signedCase('bamboohr', req, tally, n)), { tally });
    await world.expectHealthy();
  });

  it('http.bamboohr.near-valid: a signed payload mutated from a valid one is taken or refused with a 400 naming the field', async () => {
    const tally: Tally = new Map();
    const n = { cases: 0 };
    await fuzz('http.bamboohr.near-valid', fc.asyncProperty(signedDelivery('bamboohr', mutated(validBambooPayload)), (req) => signedCase('bamboohr', req, tally, n)), { tally });
    await world.expectHealthy();
  });

  it('http.workday.signed: any signed body, type and encoding gets a 2xx or an explained 4xx, never a 5xx', async () => {
    const tally: Tally = new Map();
    const n = { cases: 0 };
    await fuzz('http.workday.signed', fc.asyncProperty(signedDelivery('workday', fc.oneof(anyJson, validWorkdayNotification), { odd: true }), (req) => signedCase('workday', req, tally, n)), { tally });
    await world.expectHealthy();
  });

  it('http.workday.near-valid: a signed notification mutated from a valid one is taken, unconfirmed, or refused naming the field', async () => {
    const tally: Tally = new Map();
    const n = { cases: 0 };
    await fuzz('http.workday.near-valid', fc.asyncProperty(signedDelivery('workday', mutated(validWorkdayNotification)), (req) => signedCase('workday', req, tally, n)), { tally });
    await world.expectHealthy();
  });
});
