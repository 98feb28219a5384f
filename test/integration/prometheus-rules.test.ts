import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createEngineMetrics, registerDatabaseGauges } from '../../src/metrics/engine-metrics';
import { promtool } from '../harness/promtool';

const dir = 'deploy/prometheus';

/** Every series name the engine can expose: each family, and a histogram's _bucket, _sum and _count. */
async function engineSeriesNames(): Promise<Set<string>> {
  const metrics = createEngineMetrics();
  registerDatabaseGauges(metrics, { inboxPending: async () => 0, approvalsPending: async () => 0 });
  const names = new Set<string>();
  for (const family of await metrics.registry.getMetricsAsJSON()) {
    names.add(family.name);
    if (String(family.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(family.name + suffix);
  }
  return names;
}

/** The jml_ series an expression reads. */
const jmlSeriesIn = (expr: string) => [...expr.matchAll(/\b(jml_[a-z_]+)/g)].map((m) => m[1]!);

describe('alerting rules and the dashboard (deploy/)', () => {
  it('promtool passes the rules, their unit tests and the scrape config', async () => {
    const rules = await promtool(['check', 'rules', 'alerts.yml'], { cwd: dir });
    expect(rules.code, rules.output).toBe(0);
    const tests = await promtool(['test', 'rules', 'alerts.test.yml'], { cwd: dir });
    expect(tests.code, tests.output).toBe(0);
    expect(tests.output).toContain('SUCCESS');
    const config = await promtool(['check', 'config', '--syntax-only', 'prometheus.yml'], { cwd: dir });
    expect(config.code, config.output).toBe(0);
  });

  it('every rule has a unit test, and reads only series the engine exposes', async () => {
    const names = await engineSeriesNames();
    const rules = (parse(await readFile(`${dir}/alerts.yml`, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    const tested = await readFile(`${dir}/alerts.test.yml`, 'utf8');
    expect(rules.length).toBeGreaterThanOrEqual(7);
    for (const rule of rules) {
      expect(tested, rule.alert).toContain(`alertname: ${rule.alert}`);
      for (const series of jmlSeriesIn(rule.expr)) expect(names, `${rule.alert}: ${series}`).toContain(series);
    }
  });

  it("the Grafana dashboard's panels read only series the engine or the Temporal SDK exposes", async () => {
    const names = await engineSeriesNames();
    const dashboard = JSON.parse(await readFile('deploy/grafana/jml-engine.json', 'utf8')) as { uid: string; panels: { title: string; targets: { expr: string }[] }[] };
    expect(dashboard.uid).toBe('jml-engine');
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr })));
    const used = new Set(exprs.flatMap((e) => jmlSeriesIn(e.expr)));
    // Each of the engine's own series is on the dashboard somewhere.
    for (const family of ['jml_webhook_deliveries_total', 'jml_inbox_pending', 'jml_leaver_sessions_ended_seconds_bucket', 'jml_leaver_sla_breaches_total', 'jml_connector_requests_total', 'jml_connector_request_seconds_bucket', 'jml_connector_rate_limited_total', 'jml_approvals_pending', 'jml_evidence_appends_total', 'jml_evidence_append_seconds_bucket']) {
      expect(used, family).toContain(family);
    }
    for (const { title, expr } of exprs) {
      for (const series of jmlSeriesIn(expr)) expect(names, `${title}: ${series}`).toContain(series);
      for (const m of expr.matchAll(/\b(temporal_[a-z_]+)/g)) expect(m[1], title).toMatch(/^temporal_(activity|workflow)_[a-z_]+_latency_seconds_bucket$/);
    }
  });
});
