import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { count, fuzz, fuzzTestTimeout, type FuzzProperty, type Tally } from '../harness/fuzz-budget';
import { anyRequest, apiRoutes, codecRequest, decisionBody, forgedSlackRequest, idSegment, payloadJson, presentedToken, signedSlackRequest, tokenOf } from '../harness/fuzz-api';
import { expectExplainedRefusal, expectNoServerError, expectUnchanged, refusedBatch } from '../harness/fuzz-checks';
import { bodyBytes, contentType, describeRequest, extraHeaders, nastyString, percentEncode, queryString, send, type FuzzRequest, type FuzzResponse } from '../harness/fuzz-http';
import { startFuzzWorld, type FuzzWorld } from '../harness/fuzz-world';

/**
 * Every /api route, the codec endpoint, Slack interactivity and any method on any path under
 * fuzzing. None of these requests can change anything (no decision can be taken, the reads only
 * read): every case must leave the inbox, approvals, evidence and targets as they were, answer
 * without a 5xx, and start no workflow. Signed Slack clicks run last: each is acknowledged at
 * once and may then record itself as a refused click (evidence), which is all they may do.
 */
let world: FuzzWorld;

/**
 * A pending approval whose workflow is gone (it finished, or the history was lost): a decision
 * on it must be refused (409), never recorded, whatever the body.
 */
const orphanedApproval = 'joiner-bamboohr-4650-fuzz:aws:group:prod-admin';

beforeAll(async () => {
  world = await startFuzzWorld();
  await world.engine.services.approvals.request({
    approvalId: orphanedApproval,
    workflowId: 'joiner-bamboohr-4650-fuzz',
    employeeId: '4650',
    hrSource: 'bamboohr',
    system: 'aws',
    entitlement: 'group:prod-admin',
    rules: ['rules[0]'],
    approvers: [],
    requestedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
});

afterAll(async () => {
  await world?.close();
});

const healthEvery = 50;

/** Runs one property whose every case must leave everything as it was. */
function changesNothing<T>(name: FuzzProperty, requests: fc.Arbitrary<T>, toRequest: (t: T) => FuzzRequest, check: (t: T, req: FuzzRequest, res: FuzzResponse) => void) {
  return async () => {
    const tally: Tally = new Map();
    let cases = 0;
    await refusedBatch(world, () =>
      fuzz(
        name,
        fc.asyncProperty(requests, async (t) => {
          const req = toRequest(t);
          const before = await world.snapshot();
          const res = await send(world.engine.url, req);
          count(tally, `${res.status}${res.json?.error ? ` ${String(res.json.error)}` : ''}`);
          expectNoServerError(req, res);
          expectExplainedRefusal(req, res);
          check(t, req, res);
          expectUnchanged(req, res, before, await world.snapshot());
          if (++cases % healthEvery === 0) await world.expectHealthy();
        }),
        { tally },
      ),
    );
  };
}

const what = (req: FuzzRequest, res: FuzzResponse) => `${describeRequest(req)}\n-> ${res.status} ${res.text.slice(0, 400)}`;

describe('API, codec, Slack and any path under fuzzing', fuzzTestTimeout, () => {
  it(
    'http.api.auth: every /api route answers 401 without a known token, 403 for the wrong role, and neither for the right one',
    changesNothing(
      'http.api.auth',
      fc.record({ route: fc.constantFrom(...apiRoutes), token: presentedToken, id: fc.integer({ min: 4650, max: 4699 }).map(String) }),
      ({ route, token, id }) => ({
        method: route.method,
        path: route.path(id),
        headers: { ...(token.header !== undefined ? { authorization: token.header } : {}), 'content-type': 'application/json' },
        ...(route.method === 'POST' ? { body: '{"decision":"approve"}' } : {}),
      }),
      ({ route, token }, req, res) => {
        if (token.role === 'none' || token.role === 'unknown') {
          expect(res.status, what(req, res)).toBe(401);
          expect(res.headers['www-authenticate'], what(req, res)).toBe('Bearer');
        } else if (!route.roles.includes(token.role)) expect(res.status, what(req, res)).toBe(403);
        else expect([401, 403], what(req, res)).not.toContain(res.status);
      },
    ),
  );

  it(
    'http.api.reports: the offboarding report answers 200 or a 400 naming the parameter for any query',
    changesNothing(
      'http.api.reports',
      fc.oneof(
        queryString,
        fc
          .record({ from: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), nastyString), to: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), nastyString), format: fc.oneof(fc.constantFrom('json', 'csv', 'pdf', 'JSON'), nastyString) }, { requiredKeys: [] })
          .map((q) => `?${new URLSearchParams(q as Record<string, string>).toString()}`),
      ),
      (query) => ({ method: 'GET', path: `/api/reports/offboarding${query}`, headers: { authorization: tokenOf('auditor') } }),
      (_query, req, res) => {
        expect([200, 400], what(req, res)).toContain(res.status);
      },
    ),
  );

  it(
    'http.api.employees: a worker view, preview or evidence answers 200, 404 or a 400 naming the parameter for any ID and query',
    changesNothing(
      'http.api.employees',
      fc.record({ id: idSegment, view: fc.constantFrom('', '/preview', '/evidence'), query: fc.oneof(queryString, fc.array(fc.oneof(fc.constantFrom('event=hire', 'event=change', 'event=terminate', 'event=x', 'set=department:Engineering', 'set=timeZone:Mars/Base', 'set=nope:1', 'set=jobTitle='), nastyString.map((s) => `set=${percentEncode(s)}`)), { maxLength: 3 }).map((p) => (p.length ? `?${p.join('&')}` : ''))), role: fc.constantFrom('admin' as const, 'auditor' as const) }),
      ({ id, view, query, role }) => ({ method: 'GET', path: `/api/employees/${id}${view}${query}`, headers: { authorization: tokenOf(role) } }),
      ({ view, role }, req, res) => {
        // An ID that does not percent-decode is refused (400), and an empty one is no route (404), before the token is looked at.
        // Evidence is the auditor's, a preview the admin's; a bare ID two HRIS use is 409 for evidence.
        const wrongRole = (view === '/evidence' && role === 'admin') || (view === '/preview' && role === 'auditor');
        const allowed = wrongRole ? [400, 403, 404] : view === '/evidence' ? [200, 400, 404, 409] : [200, 400, 404];
        expect(allowed, what(req, res)).toContain(res.status);
        if (res.status === 400 && view !== '/evidence') expect(typeof res.json?.parameter === 'string' || res.json?.error === 'bad_request', what(req, res)).toBe(true);
      },
    ),
  );

  it(
    'http.api.approvals: a decision on an unknown or orphaned approval is refused (400, 404, 409, 413, 415), and nothing is decided',
    changesNothing(
      'http.api.approvals',
      fc.record({ id: fc.oneof({ weight: 5, arbitrary: idSegment }, { weight: 1, arbitrary: fc.constant(encodeURIComponent(orphanedApproval)) }), body: bodyBytes(decisionBody), type: contentType, extra: extraHeaders, method: fc.oneof({ weight: 6, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH') }) }),
      ({ id, body, type, extra, method }) => ({ method, path: `/api/approvals/${id}`, headers: { ...extra, authorization: tokenOf('admin'), 'content-type': type }, ...(method === 'GET' ? {} : { body }) }),
      ({ id, method }, req, res) => {
        // An empty ID is the list route (GET lists, the rest 405); an ID that does not decode is a 400 whatever the method.
        const allowed = id === '' ? (method === 'GET' ? [200] : [405]) : method === 'POST' ? [400, 404, 409, 413, 415] : [400, 404, 405];
        expect(allowed, what(req, res)).toContain(res.status);
        if (res.status === 400 && res.json?.error === 'invalid_payload') expect(String(res.json.message).startsWith(`${String(res.json.field)}: `), what(req, res)).toBe(true);
      },
    ),
  );

  it(
    'http.codec: /codec/encode and /codec/decode answer 200 or a 4xx for any body, token, type and method',
    changesNothing('http.codec', codecRequest, (req) => req, (_t, req, res) => {
      expect([200, 204, 400, 401, 403, 404, 405, 413, 415], what(req, res)).toContain(res.status);
    }),
  );

  it('http.codec.round-trip: decode(encode(payloads)) gives the payloads back', async () => {
    const post = async (op: string, body: unknown) => {
      const req = { method: 'POST', path: `/codec/${op}`, headers: { authorization: tokenOf('auditor'), 'content-type': 'application/json' }, body: JSON.stringify(body) };
      const res = await send(world.engine.url, req);
      expect(res.status, what(req, res)).toBe(200);
      return res.json as { payloads: unknown[] };
    };
    await fuzz(
      'http.codec.round-trip',
      fc.asyncProperty(fc.array(payloadJson, { minLength: 1, maxLength: 4 }), async (payloads) => {
        const encoded = await post('encode', { payloads });
        expect(encoded.payloads).not.toEqual(payloads);
        const decoded = await post('decode', encoded);
        expect(decoded.payloads).toEqual(payloads);
      }),
    );
  });

  it(
    'http.anywhere: any method on any path with any headers answers without a 5xx and changes nothing',
    changesNothing('http.anywhere', anyRequest, (req) => req, () => undefined),
  );

  it('http.slack.forged: an interaction without Slack\'s signature is refused with 401 and leaves nothing', async () => {
    const tally: Tally = new Map();
    // Bolt checks its own token (auth.test) in the background; any other call would be a click handled.
    const handled = () => world.slack.calls().filter((c) => c.method !== 'auth.test').map((c) => c.method);
    const slackCalls = handled();
    await refusedBatch(world, () =>
      fuzz(
        'http.slack.forged',
        fc.asyncProperty(forgedSlackRequest, async (req) => {
          const before = await world.snapshot();
          const res = await send(world.engine.url, req);
          count(tally, String(res.status));
          expectNoServerError(req, res);
          expect(res.status, `${describeRequest(req)}\n-> ${res.status} ${res.text}`).toBe(401);
          expectUnchanged(req, res, before, await world.snapshot());
        }),
        { tally },
      ),
    );
    expect(handled(), 'a forged click reached Slack').toEqual(slackCalls);
  });

  it('http.slack.signed: a signed interaction is answered without a 5xx and decides nothing', async () => {
    const tally: Tally = new Map();
    const before = await world.snapshot();
    await fuzz(
      'http.slack.signed',
      fc.asyncProperty(signedSlackRequest, async (req) => {
        const res = await send(world.engine.url, req);
        count(tally, String(res.status));
        expectNoServerError(req, res);
        expect([200, 400, 401, 404], `${describeRequest(req)}\n-> ${res.status} ${res.text}`).toContain(res.status);
      }),
      { tally },
    );
    await world.expectHealthy();
    // Clicks are handled after the acknowledgement: let them settle, then only refusals were recorded.
    await vi.waitFor(async () => {
      const after = await world.snapshot();
      expect({ ...after, evidence: 0 }).toEqual({ ...before, evidence: 0 });
      const { rows } = await world.engine.db.query<{ action: string; outcome: string }>('SELECT DISTINCT action, outcome FROM evidence_events');
      expect(rows.every((r) => r.action === 'approval.refused' && r.outcome === 'failure'), JSON.stringify(rows)).toBe(true);
    }, { timeout: 10_000, interval: 200 });
  });
});
