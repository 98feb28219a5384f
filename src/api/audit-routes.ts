import { Router } from 'express';
import type { Database } from '../db/database';
import type { EvidenceStore } from '../evidence/store';
import { checkpointStatus } from '../evidence/checkpoints/status';
import { hrSources, type HrSource } from '../hris/hr-event';
import { unstorableReason } from '../hris/storable-text';
import { renderOffboardingReport, ReportError } from '../reports/report-cli';
import { renderOrphanReport } from '../reports/orphans';
import { requireRole, type ApiTokens } from './auth';

/** Auditor routes: offboarding timeliness and orphan-account reports, a worker's evidence, and chain verification. */
export function auditRouter(deps: { db: Database; evidence: EvidenceStore; tokens: ApiTokens }): Router {
  const router = Router();
  const auditor = requireRole(deps.tokens, 'auditor');

  router.get('/api/reports/offboarding', auditor, async (req, res) => {
    const { from, to } = req.query;
    const format = req.query.format ?? 'json';
    for (const [name, value] of Object.entries({ from, to, format })) {
      if (typeof value !== 'string' || value === '') {
        res.status(400).json({ error: 'bad_request', message: `query parameter "${name}" is required (from and to as YYYY-MM-DD)` });
        return;
      }
    }
    try {
      const rendered = await renderOffboardingReport(deps.db, { from: from as string, to: to as string, format: format as string });
      if (rendered.format === 'pdf') {
        res.attachment(`offboarding-${rendered.report.from.slice(0, 10)}-${rendered.report.to.slice(0, 10)}.pdf`);
      }
      res.status(200).type(rendered.contentType).send(rendered.body);
    } catch (err) {
      if (err instanceof ReportError) {
        res.status(400).json({ error: err.code, message: err.message });
        return;
      }
      throw err;
    }
  });

  router.get('/api/reports/orphans', auditor, async (req, res) => {
    const format = req.query.format ?? 'json';
    if (typeof format !== 'string') {
      res.status(400).json({ error: 'bad_request', parameter: 'format', message: 'format: use csv or json' });
      return;
    }
    try {
      const rendered = await renderOrphanReport(deps.db, format);
      // A system whose latest listing failed is not clean: CSV readers see it named here, JSON in `systems`.
      const failed = rendered.report.summary.failedSystems;
      // System IDs are free text in the config: percent-encoded, so any of them is a valid header value.
      if (failed.length > 0) res.set('X-JML-Failed-Systems', failed.map(encodeURIComponent).join(','));
      if (rendered.format === 'csv') res.attachment(`orphans-${rendered.report.generatedAt.slice(0, 10)}.csv`);
      res.status(200).type(rendered.contentType).send(rendered.body);
    } catch (err) {
      if (err instanceof ReportError) {
        res.status(400).json({ error: err.code, parameter: 'format', message: err.message });
        return;
      }
      throw err;
    }
  });

  router.get('/api/employees/:id/evidence', auditor, async (req, res) => {
    // Intake never stores such an ID, and Postgres refuses a NUL in a query parameter.
    const problem = unstorableReason(req.params.id as string);
    if (problem) {
      res.status(400).json({ error: 'bad_request', parameter: 'id', message: `id: ${problem}` });
      return;
    }
    const scope = evidenceScope(req.params.id as string, req.query.source);
    if ('problem' in scope) {
      res.status(400).json({ error: 'bad_request', parameter: scope.parameter, message: `${scope.parameter}: ${scope.problem}` });
      return;
    }
    let hrSource: string | undefined = scope.hrSource;
    if (!hrSource) {
      // A bare ID known to two HRIS names two people: the auditor must say which.
      const sources = await deps.evidence.sourcesOf(scope.employeeId);
      if (sources.length > 1) {
        res.status(409).json({ error: 'ambiguous_employee', sources, message: `employee ${scope.employeeId} exists in ${sources.join(' and ')}: ask for <source>:<id> or ?source=` });
        return;
      }
      hrSource = sources[0];
    }
    const events = hrSource ? await deps.evidence.forEmployee(scope.employeeId, hrSource) : [];
    res.json({ employeeId: scope.employeeId, ...(hrSource ? { hrSource } : {}), count: events.length, events });
  });

  router.get('/api/evidence/verify', auditor, async (_req, res) => {
    const result = await deps.evidence.verify();
    const checkpoints = await checkpointStatus(deps.db, result.head?.seq ?? 0);
    res.json({ ...result, ok: result.ok && checkpoints.ok, checkpoints });
  });

  return router;
}

/**
 * Which worker's evidence is asked for: `:id` as `<source>:<employeeId>` or a bare ID with an
 * optional `?source=`; a bare ID without one is resolved by the caller (one source, or 409).
 */
function evidenceScope(id: string, source: unknown): { employeeId: string; hrSource?: HrSource } | { parameter: string; problem: string } {
  const prefix = id.slice(0, id.indexOf(':'));
  const prefixed = (hrSources as readonly string[]).includes(prefix);
  const employeeId = prefixed ? id.slice(prefix.length + 1) : id;
  if (!employeeId) return { parameter: 'id', problem: 'an employee ID is required' };
  if (source !== undefined && (typeof source !== 'string' || !(hrSources as readonly string[]).includes(source))) {
    return { parameter: 'source', problem: `must be one of ${hrSources.join(', ')}` };
  }
  if (prefixed && source !== undefined && source !== prefix) return { parameter: 'source', problem: `the id names ${prefix}` };
  const hrSource = (prefixed ? prefix : source) as HrSource | undefined;
  return hrSource ? { employeeId, hrSource } : { employeeId };
}
