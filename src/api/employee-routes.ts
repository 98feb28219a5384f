import { Router, type RequestHandler, type Response } from 'express';
import { parseEmployeeRef, type EmployeeRef } from '../preview/employee-ref';
import { OverrideError, overridableFields, parseOverrides, type Overrides } from '../preview/overrides';
import { previewEvents, type PreviewEvent } from '../preview/plan';
import { TemporalUnavailableError } from '../preview/reader';
import { employeePreview, employeeView, type EmployeeReadDeps } from '../preview/service';
import { requireRole, type ApiTokens } from './auth';

/**
 * Read-only views of a worker, for admins and auditors. `:id` is `<source>:<employeeId>`
 * (bamboohr:123, workday:W-9) or a bare ID, which means BambooHR.
 * - `GET /api/employees/:id`: lifecycle, pending events, and per system the desired access
 *   against a fresh read of what is provisioned. 404 when the worker has no workflow.
 * - `GET /api/employees/:id/preview?event=hire|change|terminate&set=field:value...`: what that
 *   HR event would change, with the overrides applied to the worker's current attributes (or to
 *   empty ones when there is no workflow yet). Only reads; nothing is changed anywhere.
 * 400 names the bad parameter; 503 when Temporal does not answer.
 */
export interface EmployeeRouteDeps extends EmployeeReadDeps {
  tokens: ApiTokens;
}

const previewParameters = ['event', 'set'];

export function employeeRouter(deps: EmployeeRouteDeps): Router {
  const router = Router();
  const reader = requireRole(deps.tokens, 'admin', 'auditor');
  const admin = requireRole(deps.tokens, 'admin');
  // The answers carry work emails and live access: never cached on the way.
  const noStore: RequestHandler = (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };

  router.get('/api/employees/:id', noStore, reader, async (req, res) => {
    const ref = refOrAnswer(req.params.id as string, res);
    if (!ref) return;
    await answering(res, async () => {
      const view = await employeeView(deps, ref);
      if (!view) res.status(404).json({ error: 'not_found', message: `no workflow ${ref.workflowId}: the engine has not seen this worker` });
      else res.status(200).json(view);
    });
  });

  // A preview may name any identity (set=workEmail:...) and reads every system for it: admins only.
  router.get('/api/employees/:id/preview', noStore, admin, async (req, res) => {
    const ref = refOrAnswer(req.params.id as string, res);
    if (!ref) return;
    const parsed = parsePreviewQuery(req.query as Record<string, unknown>);
    if ('error' in parsed) {
      res.status(400).json({ error: 'bad_request', ...parsed.error });
      return;
    }
    await answering(res, async () => {
      res.status(200).json(await employeePreview(deps, { ref, ...parsed }));
    });
  });

  return router;
}

type QueryProblem = { parameter: string; message: string; allowed?: readonly string[] };

function parsePreviewQuery(query: Record<string, unknown>): { event: PreviewEvent; overrides: Overrides } | { error: QueryProblem } {
  const unknown = Object.keys(query).find((name) => !previewParameters.includes(name));
  if (unknown !== undefined) {
    return { error: { parameter: unknown, message: `unknown query parameter "${unknown}"`, allowed: previewParameters } };
  }
  const event = query.event;
  if (typeof event !== 'string' || !(previewEvents as readonly string[]).includes(event)) {
    const message = event === undefined ? 'is required' : typeof event === 'string' ? `"${event}" is not an event` : 'give it once';
    return { error: { parameter: 'event', message: `event: ${message} (use ${previewEvents.join(', ')})`, allowed: previewEvents } };
  }
  const raw = query.set === undefined ? [] : Array.isArray(query.set) ? query.set : [query.set];
  if (!raw.every((s): s is string => typeof s === 'string')) {
    return { error: { parameter: 'set', message: 'set: give field:value', allowed: overridableFields } };
  }
  try {
    return { event: event as PreviewEvent, overrides: parseOverrides(raw) };
  } catch (err) {
    if (!(err instanceof OverrideError)) throw err;
    return { error: { parameter: 'set', message: `set: ${err.message}`, allowed: overridableFields } };
  }
}

function refOrAnswer(id: string, res: Response): EmployeeRef | undefined {
  try {
    return parseEmployeeRef(id);
  } catch (err) {
    res.status(400).json({ error: 'bad_request', parameter: 'id', message: `id: ${(err as Error).message}` });
    return undefined;
  }
}

async function answering(res: Response, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof TemporalUnavailableError)) throw err;
    res.status(503).set('Retry-After', '5').json({ error: 'temporal_unavailable', message: err.message });
  }
}
