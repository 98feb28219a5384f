import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, fuzz, fuzzTestTimeout, type Tally } from '../harness/fuzz-budget';
import { expectNoServerError, expectUnchanged, refusedBatch } from '../harness/fuzz-checks';
import { anyJson, describeRequest, mutated, send } from '../harness/fuzz-http';
import { forgedCase, signedCase } from '../harness/fuzz-webhook-cases';
import { forgedDelivery, signedDelivery, validWorkdayNotification } from '../harness/fuzz-webhooks';
import { startFuzzWorld, type FuzzWorld } from '../harness/fuzz-world';

/**
 * POST /webhooks/workday under fuzzing: forged notifications (every one refused, nothing stored
 * or started, Workday never read), a Workday outage (only the documented 503/502), then signed
 * ones with fuzzed and near-valid bodies (a refusal stores nothing, a semantically invalid body
 * is a 400 naming the field). Refused-only batches run first: later accepted events start
 * workflows of their own.
 */
let world: FuzzWorld;

beforeAll(async () => {
  world = await startFuzzWorld();
});

afterAll(async () => {
  await world?.close();
});

describe('Workday webhook under fuzzing', fuzzTestTimeout, () => {
  it('http.workday.forged: a notification without the right signature is refused and leaves nothing', async () => {
    const tally: Tally = new Map();
    const n = { cases: 0 };
    await refusedBatch(world, () =>
      fuzz('http.workday.forged', fc.asyncProperty(forgedDelivery('workday', fc.oneof(validWorkdayNotification, mutated(validWorkdayNotification), anyJson)), (req) => forgedCase(world, req, tally, n)), {
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

  it('http.workday.signed: any signed body, type and encoding gets a 2xx or an explained 4xx, never a 5xx', async () => {
    const tally: Tally = new Map();
    const n = { cases: 0 };
    await fuzz('http.workday.signed', fc.asyncProperty(signedDelivery('workday', fc.oneof(anyJson, validWorkdayNotification), { odd: true }), (req) => signedCase(world, 'workday', req, tally, n)), { tally });
    await world.expectHealthy();
  });

  it('http.workday.near-valid: a signed notification mutated from a valid one is taken, unconfirmed, or refused naming the field', async () => {
    const tally: Tally = new Map();
    const n = { cases: 0 };
    await fuzz('http.workday.near-valid', fc.asyncProperty(signedDelivery('workday', mutated(validWorkdayNotification)), (req) => signedCase(world, 'workday', req, tally, n)), { tally });
    await world.expectHealthy();
  });

});
