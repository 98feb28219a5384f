import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bambooSecret, postBambooWebhook } from '../harness/bamboohr';
import { adminToken, auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';

let engine: TestEngine;

beforeAll(async () => {
  engine = await startTestEngine({ yaml: '', env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret } });
});

afterAll(async () => {
  await engine?.close();
});

const call = (path: string, token?: string) =>
  fetch(`${engine.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('HTTP API', () => {
  it('reports health of Temporal and the database', async () => {
    const res = await call('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { database: { ok: true }, temporal: { ok: true } } });
  });

  it.each(['/api/reports/offboarding?from=2026-01-01&to=2026-01-31', '/api/employees/42/evidence', '/api/evidence/verify'])(
    '%s needs an auditor token: 401 without, 401 unknown, 403 admin, 200 auditor',
    async (path) => {
      const none = await call(path);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect((await call(path, 'not-a-known-token-at-all')).status).toBe(401);
      expect((await call(path, adminToken)).status).toBe(403);
      expect((await call(path, auditorToken)).status).toBe(200);
    },
  );

  it.each([
    ['?to=2026-01-31', 'query parameter "from" is required'],
    ['?from=2026-02-30&to=2026-03-01', 'from: 2026-02-30 is not a calendar date'],
    ['?from=2026-03-01&to=2026-02-01', 'must be before'],
    ['?from=2026-01-01&to=2026-01-31&format=xml', 'unknown format "xml"'],
  ])('answers 400 naming the problem for %s', async (query, message) => {
    const res = await call(`/api/reports/offboarding${query}`, auditorToken);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain(message);
  });

  it('answers 400, not 500, for an evidence request whose employee ID holds a NUL', async () => {
    const res = await call('/api/employees/46%0001/evidence', auditorToken);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'bad_request', parameter: 'id', message: 'id: contains a NUL character' });
  });

  it('serves an empty report as CSV with only the header', async () => {
    const res = await call('/api/reports/offboarding?from=2026-01-01&to=2026-01-31&format=csv', auditorToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect((await res.text()).trim().split('\r\n')).toHaveLength(1);
  });

  it('counts webhook deliveries in /metrics', async () => {
    await postBambooWebhook(engine.url, {}, { signature: '0'.repeat(64) });
    const text = await (await call('/metrics')).text();
    expect(text).toMatch(/jml_webhook_deliveries_total\{source="bamboohr",outcome="unauthorized"\} 1/);
    expect(text).toMatch(/^jml_inbox_pending \d+$/m);
  });

  it('answers unknown routes with JSON 404', async () => {
    const res = await call('/api/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('scoped and admin-only views', () => {
  const seed = (hrSource: string, stepKey: string) =>
    engine.services.evidence.append({ stepKey, employeeId: '4242', hrSource, actorType: 'hr', actorId: hrSource, action: 'hr_event.received', occurredAt: new Date().toISOString(), outcome: 'success', context: { hrEventId: stepKey } });

  it('evidence for an employee ID in two HR sources: 409 for the bare ID, each source on its own when named', async () => {
    await seed('bamboohr', 'scope-b-1');
    await seed('workday', 'scope-w-1');
    const bare = await call('/api/employees/4242/evidence', auditorToken);
    expect(bare.status).toBe(409);
    expect(await bare.json()).toMatchObject({ error: 'ambiguous_employee', sources: ['bamboohr', 'workday'] });
    for (const path of ['/api/employees/bamboohr:4242/evidence', '/api/employees/4242/evidence?source=bamboohr']) {
      const res = await call(path, auditorToken);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { hrSource: string; employeeId: string; events: { hrSource: string }[] };
      expect(body).toMatchObject({ employeeId: '4242', hrSource: 'bamboohr' });
      expect(body.events.map((e) => e.hrSource)).toEqual(['bamboohr']);
    }
    const workday = (await (await call('/api/employees/workday:4242/evidence', auditorToken)).json()) as { events: { hrSource: string }[] };
    expect(workday.events.map((e) => e.hrSource)).toEqual(['workday']);
    expect((await call('/api/employees/4242/evidence?source=sap', auditorToken)).status).toBe(400);
    expect((await call('/api/employees/workday:4242/evidence?source=bamboohr', auditorToken)).status).toBe(400);
    // An ID in one source only needs no source.
    await seed('workday', 'scope-w-only');
    expect((await call('/api/employees/4242/evidence?source=workday', auditorToken)).status).toBe(200);
  });

  it('a preview (it may name any identity) needs an admin token', async () => {
    expect((await call('/api/employees/bamboohr:4243/preview?event=hire', auditorToken)).status).toBe(403);
    expect((await call('/api/employees/bamboohr:4243/preview?event=hire', adminToken)).status).not.toBe(403);
  });
});
