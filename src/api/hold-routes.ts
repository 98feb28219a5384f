import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { HoldConflict, type HoldDecider } from '../leaver/hold-decide';
import type { HoldStore } from '../leaver/hold-store';
import { maxReasonLength } from './approval-routes';
import { actorOf, requireRole, type ApiTokens } from './auth';
import { asRouteError, invalidPayload, RouteError } from './route-error';

/**
 * Mass-termination holds (leaver.massTermination):
 * - `GET /api/leavers/hold/:id` (admin, auditor): the hold, its status and how many leavers it holds.
 * - `POST /api/leavers/hold/:id` (admin) with `{decision: "release" | "abort", reason?}`: one
 *   decision for every leaver in the hold. 200 `{holdId, status, members}`; 400 bad body or ID;
 *   404 unknown hold; 409 already decided; 503 only when the hold's workflow could not be reached.
 */
export interface HoldRouteDeps {
  holds: Pick<HoldStore, 'get'>;
  decide: HoldDecider;
  tokens: ApiTokens;
}

const maxBodyBytes = 16 * 1024;
const holdIdPattern = /^hold-[a-z0-9]+-\d{1,9}$/;

const decisionBody = z.strictObject(
  {
    decision: z.enum(['release', 'abort'], { error: (issue) => (issue.input === undefined ? 'is required' : 'must be "release" or "abort"') }),
    reason: z.string({ error: 'must be a string' }).trim().max(maxReasonLength, { error: `must be at most ${maxReasonLength} characters` }).optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'the body must be a JSON object {decision, reason}' : undefined) },
);

const conflictStatus: Record<HoldConflict['reason'], number> = { unknown_hold: 404, already_decided: 409, not_a_decider: 403, invalid_decision: 400, not_ready: 503 };

export function holdRouter(deps: HoldRouteDeps): Router {
  const router = express.Router();
  const admin = requireRole(deps.tokens, 'admin');
  const reader = requireRole(deps.tokens, 'admin', 'auditor');
  const noStore: RequestHandler = (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };
  const validId: RequestHandler = (req, _res, next) => {
    const id = String(req.params.id ?? '');
    next(holdIdPattern.test(id) ? undefined : new RouteError(400, 'invalid_hold_id', 'id: must be a hold ID such as hold-bamboohr-1', { field: 'id' }));
  };
  const jsonOnly: RequestHandler = (req, _res, next) => {
    next(req.is('application/json') ? undefined : new RouteError(415, 'unsupported_media_type', 'Content-Type must be application/json'));
  };

  const show: RequestHandler = async (req, res) => {
    const hold = await deps.holds.get(req.params.id as string);
    if (!hold) {
      res.status(404).json({ error: 'not_found', message: `no mass-termination hold ${req.params.id}` });
      return;
    }
    res.status(200).json(hold);
  };

  const decide: RequestHandler = async (req, res) => {
    const body = parseDecision(req.body);
    const id = req.params.id as string;
    try {
      const outcome = await deps.decide(id, { decision: body.decision, ...(body.reason ? { reason: body.reason } : {}), decidedBy: actorOf(res), via: 'api' });
      res.status(200).json(outcome);
    } catch (err) {
      if (!(err instanceof HoldConflict)) throw err;
      const status = conflictStatus[err.reason];
      res.status(status).json({ error: err.reason, message: err.message, ...(err.hold ? { status: err.hold.status, ...(err.hold.decidedBy ? { decidedBy: err.hold.decidedBy } : {}) } : {}) });
    }
  };

  const answerError: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    const known = asRouteError(err, maxBodyBytes);
    if (!known) return next(err);
    res.status(known.status).json({ error: known.code, message: known.message, ...known.details });
  };

  router.get('/api/leavers/hold/:id', noStore, reader, validId, show, answerError);
  router.post('/api/leavers/hold/:id', noStore, admin, validId, jsonOnly, express.json({ limit: maxBodyBytes }), decide, answerError);
  router.all('/api/leavers/hold/:id', (_req, res) => {
    res.status(405).set('Allow', 'GET, POST').json({ error: 'method_not_allowed', message: 'use GET or POST' });
  });
  return router;
}

function parseDecision(body: unknown): { decision: 'release' | 'abort'; reason?: string } {
  const result = decisionBody.safeParse(body);
  if (result.success) return result.data.reason ? result.data : { decision: result.data.decision };
  throw invalidPayload(result.error, 'decision and reason');
}
