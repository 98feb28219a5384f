import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { fuzz, fuzzTestTimeout, type Tally } from '../harness/fuzz-budget';
import { refusedBatch } from '../harness/fuzz-checks';
import { anyJson, mutated } from '../harness/fuzz-http';
import { forgedCase, signedCase } from '../harness/fuzz-webhook-cases';
import { forgedDelivery, signedDelivery, validBambooPayload } from '../harness/fuzz-webhooks';
import { startFuzzWorld, type FuzzWorld } from '../harness/fuzz-world';

/**
 * POST /webhooks/bamboohr under fuzzing: forged deliveries (every one refused, nothing stored
 * or started, no target touched), then signed ones with fuzzed and near-valid bodies (a refusal
 * stores nothing, a semantically invalid body is a 400 naming the field). Forged batches run
 * first: later accepted events start workflows of their own.
 */
let world: FuzzWorld;

beforeAll(async () => {
  world = await startFuzzWorld();
});

afterAll(async () => {
  await world?.close();
});

describe('BambooHR webhook under fuzzing', fuzzTestTimeout, () => {
  it('http.bamboohr.forged: a delivery without the right signature is refused and leaves nothing', async () => {
    const tally: Tally = new Map();
    const n = { cases: 0 };
    await refusedBatch(world, () =>
      fuzz('http.bamboohr.forged', fc.asyncProperty(forgedDelivery('bamboohr', fc.oneof(validBambooPayload, mutated(validBambooPayload), anyJson)), (req) => forgedCase(world, req, tally, n)), { tally }),
    );
  });

  it('http.bamboohr.signed: any signed body, type and encoding gets a 2xx or an explained 4xx, never a 5xx', async () => {
    const tally: Tally = new Map();
    const n = { cases: 0 };
    await fuzz('http.bamboohr.signed', fc.asyncProperty(signedDelivery('bamboohr', fc.oneof(anyJson, validBambooPayload), { odd: true }), (req) => signedCase(world, 'bamboohr', req, tally, n)), { tally });
    await world.expectHealthy();
  });

  it('http.bamboohr.near-valid: a signed payload mutated from a valid one is taken or refused with a 400 naming the field', async () => {
    const tally: Tally = new Map();
    const n = { cases: 0 };
    await fuzz('http.bamboohr.near-valid', fc.asyncProperty(signedDelivery('bamboohr', mutated(validBambooPayload)), (req) => signedCase(world, 'bamboohr', req, tally, n)), { tally });
    await world.expectHealthy();
  });

});
