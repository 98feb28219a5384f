import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaverResult } from '../../workflows/leaver';
import { postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { startEngineOnTargets } from '../harness/engine-on-targets';
import { parseExposition, sumOf, type Sample } from '../harness/prometheus';
import { familiesOf, promtool } from '../harness/promtool';
import type { TestEngine } from '../harness/test-engine';
import type { Targets } from '../harness/targets';
import { resultOf } from '../harness/workflows';

let targets: Targets;
let engine: TestEngine;
let close: () => Promise<void>;
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const login = 'metrica.leaver@acme.test';
const employeeId = '8713';

beforeAll(async () => {
  ({ targets, engine, close } = await startEngineOnTargets());
});

afterAll(async () => close?.());

const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
  const res = await fetch(`${engine.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, samples: parseExposition(text) };
};

describe('/metrics after a leaver', () => {
  it('counts the webhook, the connector calls, the evidence, the leaver timing and the SDK worker, with no personal data in a label', async () => {
    targets.seedWorker(login, ['engineering']);
    // Okta answers the first request 429 (waited on, then retried).
    targets.okta.rateLimitNext(1, 1);
    const refused = await fetch(`${engine.url}/webhooks/bamboohr`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-bamboohr-signature': 'bad' }, body: '{}' });
    expect(refused.status).toBe(401);
    const res = await postBambooWebhook(engine.url, terminationDelivery(employeeId, login, yesterday));
    expect(res.status).toBe(202);
    const leaverId = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((id) => id.startsWith(`leaver-bamboohr-${employeeId}-`))!;
    const result = await resultOf<LeaverResult>(engine.client, leaverId);
    expect(result.slaBreached).toBe(false);

    const { text, samples } = await scrape();
    expect(sumOf(samples, 'jml_webhook_deliveries_total', { source: 'bamboohr', outcome: 'accepted' })).toBe(1);
    expect(sumOf(samples, 'jml_webhook_deliveries_total', { source: 'bamboohr', outcome: 'unauthorized' })).toBe(1);

    // One leaver whose sessions ended within the SLA: one observation, inside the 60 s bucket.
    const ended = (Date.parse(result.sessionsKilledAt) - Date.parse(result.terminationEffectiveAt)) / 1000;
    expect(sumOf(samples, 'jml_leaver_sessions_ended_seconds_count')).toBe(1);
    expect(sumOf(samples, 'jml_leaver_sessions_ended_seconds_bucket', { le: '60' })).toBe(1);
    expect(sumOf(samples, 'jml_leaver_sessions_ended_seconds_sum')).toBeGreaterThan(0);
    expect(sumOf(samples, 'jml_leaver_sessions_ended_seconds_sum')).toBeLessThanOrEqual(Math.max(ended, 60));
    expect(sumOf(samples, 'jml_leaver_sla_breaches_total')).toBe(0);

    // Each system's calls, by operation and status, timed; Okta's 429 counted as rate limited.
    const okta = samples.filter((s) => s.name === 'jml_connector_requests_total' && s.labels.system === 'okta');
    expect(okta.some((s) => s.labels.status === '429')).toBe(true);
    expect(okta.some((s) => s.labels.status === '200' && /^POST \/api\/v1\/users\/\{id\}\/lifecycle\/suspend$/.test(s.labels.operation!))).toBe(true);
    expect(sumOf(samples, 'jml_connector_requests_total', { system: 'aws' })).toBeGreaterThan(0);
    expect(sumOf(samples, 'jml_connector_rate_limited_total', { system: 'okta' })).toBe(1);
    expect(sumOf(samples, 'jml_connector_request_seconds_count', { system: 'okta' })).toBe(okta.reduce((n, s) => n + s.value, 0));
    expect(sumOf(samples, 'jml_connector_requests_total')).toBe(targets.okta.requests().length + targets.scim.requests().length);

    // Every evidence append, each timed; at least one per row the leaver wrote.
    const rows = Number((await engine.db.query<{ n: string }>('SELECT count(*) AS n FROM evidence_events')).rows[0]!.n);
    const stored = sumOf(samples, 'jml_evidence_appends_total', { outcome: 'stored' });
    expect(stored).toBeGreaterThanOrEqual(rows);
    expect(sumOf(samples, 'jml_evidence_appends_total', { outcome: 'failed' })).toBe(0);
    expect(sumOf(samples, 'jml_evidence_append_seconds_count')).toBe(stored);
    expect(sumOf(samples, 'jml_inbox_pending')).toBe(0);
    expect(sumOf(samples, 'jml_approvals_pending')).toBe(0);

    // The Temporal SDK's own worker series, in the same scrape.
    expect(samples.some((s) => s.name.startsWith('temporal_') && s.labels.task_queue === engine.taskQueue)).toBe(true);

    // No label carries the login, the address or the employee ID.
    for (const needle of [login, login.split('@')[0]!, encodeURIComponent(login), employeeId]) {
      const found = samples.filter((s) => Object.values(s.labels).some((v) => v.includes(needle)) && s.name.startsWith('jml_'));
      expect(found, needle).toEqual([]);
    }
    expect(text).not.toContain(login);

    // Prometheus's own linter takes the engine's families as they are (names, units, suffixes, help).
    const lint = await promtool(['check', 'metrics'], { stdin: familiesOf(text, 'jml_') });
    expect(lint.code, lint.output).toBe(0);
  });
});
