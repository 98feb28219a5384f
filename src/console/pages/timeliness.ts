import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { employeeWorkflowId, type HrSource } from '../../hris/hr-event';
import type { LeaverRow, OffboardingReport } from '../../reports/offboarding';
import { formatTime, notice, signedInPage, workflowLink, type PageContext } from './layout';

export interface TimelinessView {
  /** The window as asked (YYYY-MM-DD, `to` inclusive). */
  from: string;
  to: string;
  report?: OffboardingReport;
  /** Why the window could not be read (bad dates): shown instead of the report. */
  problem?: string;
}

/** One bar per leaver whose sessions ended (seconds after the clock started), and the SLA each was held to. */
export interface ChartData {
  labels: string[];
  seconds: number[];
  sla: (number | null)[];
  withinSla: (boolean | null)[];
}

export const chartScripts = ['/console/assets/chart.umd.min.js', '/console/assets/console.js'];

export function chartData(report: OffboardingReport): ChartData {
  const timed = report.leavers.filter((l) => l.secondsToSessionsKilled !== null);
  return {
    labels: timed.map(leaverLabel),
    seconds: timed.map((l) => l.secondsToSessionsKilled as number),
    sla: timed.map((l) => l.slaSeconds),
    withinSla: timed.map((l) => l.withinSla),
  };
}

const leaverLabel = (l: LeaverRow) => `${l.hrSource}:${l.employeeId}`;
const isOpen = (l: LeaverRow) => l.accessRevokedAt === null && l.hold?.status !== 'aborted';
const percent = (share: number | null) => (share === null ? '—' : `${Math.round(share * 1000) / 10}%`);
const seconds = (s: number | null) => (s === null ? '—' : `${s} s`);
const query = (v: TimelinessView) => `from=${encodeURIComponent(v.from)}&to=${encodeURIComponent(v.to)}`;

/** The offboarding timeliness page: the window form, summary, chart, every leaver, open leavers, SLA breaches, downloads. */
export function timelinessPage(ctx: PageContext, view: TimelinessView): string {
  const { report } = view;
  const content = html`
    <form method="get" action="/console" class="window" aria-label="Report window">
      <label>From <input type="date" name="from" value=${view.from} required /></label>
      <label>To (inclusive) <input type="date" name="to" value=${view.to} required /></label>
      <button type="submit">Show</button>
    </form>
    ${view.problem ? notice('problem', view.problem) : null} ${report ? reportSections(ctx, view, report) : null}
  `;
  return signedInPage(ctx, 'timeliness', 'Offboarding timeliness', content, report ? chartScripts : []);
}

function reportSections(ctx: PageContext, view: TimelinessView, report: OffboardingReport): VNode {
  const s = report.summary;
  const open = report.leavers.filter(isOpen);
  const breaches = report.leavers.filter((l) => l.withinSla === false);
  const data = chartData(report);
  return html`
    <section aria-labelledby="summary-h">
      <h2 id="summary-h">Summary, ${view.from} to ${view.to} (UTC)</h2>
      <dl class="summary">
        <div><dt>Leavers</dt><dd data-field="count">${s.count}</dd></div>
        <div><dt>Within SLA</dt><dd data-field="withinSlaShare">${percent(s.withinSlaShare)}</dd></div>
        <div><dt>p50 to sessions ended</dt><dd>${seconds(s.p50Seconds)}</dd></div>
        <div><dt>p95</dt><dd>${seconds(s.p95Seconds)}</dd></div>
        <div><dt>Slowest</dt><dd>${seconds(s.maxSeconds)}</dd></div>
        <div><dt>Open</dt><dd data-field="open">${s.open}</dd></div>
        ${s.held > 0 ? html`<div><dt>Held</dt><dd>${s.held}</dd></div>` : null}
        ${s.rescinded > 0 ? html`<div><dt>Rescinded</dt><dd>${s.rescinded}</dd></div>` : null}
      </dl>
      <p class="downloads">
        Download:${' '}
        <a href=${`/console/downloads/offboarding.csv?${query(view)}`} download>report (CSV)</a>${' · '}
        <a href=${`/console/downloads/offboarding.pdf?${query(view)}`} download>report (PDF)</a>${' · '}
        <a href=${`/console/downloads/evidence-package.tar.gz?${query(view)}`} download>evidence package (tar.gz)</a>
      </p>
    </section>
    <section aria-labelledby="chart-h">
      <h2 id="chart-h">Time to sessions ended, per leaver, against the SLA</h2>
      ${data.labels.length === 0
        ? html`<p>No leaver in this window has had their sessions ended yet.</p>`
        : html`<div class="chart"><canvas id="timeliness-chart" role="img" aria-label=${`Bar chart: seconds to sessions ended for ${data.labels.length} leaver(s), with the SLA as a line; the table below has the same figures`} data-chart=${JSON.stringify(data)}></canvas></div>`}
    </section>
    <section aria-labelledby="leavers-h">
      <h2 id="leavers-h">Leavers (${report.leavers.length})</h2>
      ${leaverTable(ctx, report.leavers, 'leavers')}
    </section>
    <section aria-labelledby="open-h">
      <h2 id="open-h">Open leavers (${open.length})</h2>
      ${open.length === 0 ? html`<p>Every leaver in this window has had their access fully revoked.</p>` : leaverTable(ctx, open, 'open')}
    </section>
    <section aria-labelledby="breaches-h">
      <h2 id="breaches-h">SLA breaches (${breaches.length})</h2>
      ${breaches.length === 0 ? html`<p>No leaver in this window missed the session-kill SLA.</p>` : breachTable(ctx, breaches)}
    </section>
  `;
}

function leaverTable(ctx: PageContext, rows: LeaverRow[], id: string): VNode {
  return html`<div class="scroll" role="region" aria-labelledby=${`${id}-h`} tabindex="0">
    <table id=${`${id}-table`}>
      <thead>
        <tr>
          <th scope="col">Employee</th><th scope="col">Effective</th><th scope="col">HR event received</th><th scope="col">Sessions ended</th>
          <th scope="col">Seconds</th><th scope="col">SLA</th><th scope="col">Within SLA</th><th scope="col">Fully revoked</th><th scope="col">Systems</th><th scope="col">Workflows</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (l) => html`<tr data-employee=${leaverLabel(l)}>
            <th scope="row">${leaverLabel(l)}</th>
            <td>${formatTime(l.terminationEffectiveAt)}</td>
            <td>${formatTime(l.hrEventReceivedAt)}</td>
            <td>${formatTime(l.sessionsKilledAt)}</td>
            <td>${seconds(l.secondsToSessionsKilled)}</td>
            <td>${seconds(l.slaSeconds)}</td>
            <td>${l.withinSla === null ? 'pending' : l.withinSla ? 'yes' : html`<strong class="late">no</strong>`}</td>
            <td>${l.hold?.status === 'aborted' ? 'aborted (left enabled)' : formatTime(l.accessRevokedAt)}</td>
            <td><ul class="systems">${Object.entries(l.systems).map(([system, t]) => html`<li>${system}: ${t.outcome}</li>`)}</ul></td>
            <td>${workflowLinks(ctx, l)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function breachTable(ctx: PageContext, rows: LeaverRow[]): VNode {
  return html`<table id="breaches-table">
    <thead><tr><th scope="col">Employee</th><th scope="col">Seconds to sessions ended</th><th scope="col">SLA</th><th scope="col">Reasons</th><th scope="col">Workflows</th></tr></thead>
    <tbody>
      ${rows.map(
        (l) => html`<tr data-employee=${leaverLabel(l)}>
          <th scope="row">${leaverLabel(l)}</th>
          <td>${l.secondsToSessionsKilled === null ? 'not yet ended' : seconds(l.secondsToSessionsKilled)}</td>
          <td>${seconds(l.slaSeconds)}</td>
          <td><ul>${breachReasons(l).map((r) => html`<li>${r}</li>`)}</ul></td>
          <td>${workflowLinks(ctx, l)}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** Why a leaver was late: the report's exceptions, and each system whose sessions did not end cleanly. */
export function breachReasons(l: LeaverRow): string[] {
  const systems = Object.entries(l.systems)
    .filter(([, t]) => t.outcome !== 'killed' && t.outcome !== 'disabled' && t.outcome !== 'not_found')
    .map(([system, t]) => `${system}: ${t.outcome}`);
  const reasons = [...l.exceptions, ...systems];
  return reasons.length > 0 ? reasons : ['no reason recorded'];
}

function workflowLinks(ctx: PageContext, l: LeaverRow): VNode {
  const entity = employeeWorkflowId(l.hrSource as HrSource, l.employeeId);
  if (!ctx.temporalUi) return workflowLink(undefined, entity);
  const ui = ctx.temporalUi;
  const search = `EmployeeId="${l.employeeId}" AND HrSource="${l.hrSource}"`;
  const all = `${ui.url}/namespaces/${encodeURIComponent(ui.namespace)}/workflows?query=${encodeURIComponent(search)}`;
  return html`${workflowLink(ui, entity, 'worker')} · <a href=${all} rel="noopener noreferrer" target="_blank">all runs</a>`;
}
