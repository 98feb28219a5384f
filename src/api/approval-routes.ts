import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { ApprovalStore } from '../approvals/store';
import { applyDecision, type ApprovalDecider } from '../approvals/apply-decision';
import { actorOf, requireRole, type ApiTokens } from './auth';
import { asRouteError, invalidPayload, RouteError } from './route-error';

/**
 * Admin routes for approvals (the way to decide without Slack, and an administrator's override with it):
 * - `GET /api/approvals`: the approvals still pending, oldest first: `{count, approvals}`.
 * - `POST /api/approvals/:id` with `{decision: "approve" | "reject", reason?}` (a rejection needs
 *   a reason): hands the decision to `decide`, which applies and records it (in the waiting
 *   workflow, then in the store). 200 with the recorded status, or 202 when `decide` accepted it
 *   but the store does not show it yet; 404 unknown ID; 409 when it is no longer pending or
 *   `decide` throws an `ApprovalConflict`. Nothing is decided for a rejected request.
 */

export type { ApprovalDecisionCommand } from '../approvals/apply-decision';

export interface ApprovalRouteDeps {
  approvals: ApprovalStore;
  tokens: ApiTokens;
  decide: ApprovalDecider;
}

export const maxReasonLength = 2000;
const maxBodyBytes = 16 * 1024;

const decisionBody = z
  .strictObject(
    {
      decision: z.enum(['approve', 'reject'], {
        error: (issue) => (issue.input === undefined ? 'is required' : 'must be "approve" or "reject"'),
      }),
      reason: z
        .string({ error: 'must be a string' })
        .trim()
        .max(maxReasonLength, { error: `must be at most ${maxReasonLength} characters` })
        .optional(),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? 'the body must be a JSON object {decision, reason}' : undefined) },
  )
  .superRefine((body, ctx) => {
    if (body.decision === 'reject' && !body.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a rejection needs a non-empty reason' });
    }
  });

export function approvalRouter(deps: ApprovalRouteDeps): Router {
  const router = express.Router();
  const admin = requireRole(deps.tokens, 'admin');

  const noStore: RequestHandler = (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };

  const jsonOnly: RequestHandler = (req, _res, next) => {
    next(req.is('application/json') ? undefined : new RouteError(415, 'unsupported_media_type', 'Content-Type must be application/json'));
  };
  const jsonBody = express.json({ limit: maxBodyBytes });

  const list: RequestHandler = async (_req, res) => {
    const approvals = await deps.approvals.pending();
    res.status(200).json({ count: approvals.length, approvals });
  };

  const decide: RequestHandler = async (req, res) => {
    const { decision, reason } = parseDecision(req.body);
    const id = req.params.id as string;
    const result = await applyDecision(deps.approvals, deps.decide, id, { decision, ...(reason ? { reason } : {}), decidedBy: actorOf(res), via: 'api' });
    switch (result.kind) {
      case 'not_found':
        res.status(404).json({ error: 'not_found', message: `no approval ${id}` });
        return;
      case 'already_decided':
        // Decided before this request, or another decision or the expiry got there first.
        res.status(409).json({ error: 'already_decided', status: result.status, message: `approval ${id} is already ${result.status}` });
        return;
      case 'refused':
        res.status(409).json({ error: 'conflict', message: result.message });
        return;
      case 'accepted':
        // Accepted by whoever applies it, not yet recorded.
        res.status(202).json({ approvalId: id, decision, status: 'pending' });
        return;
      case 'recorded':
        res.status(200).json({ approvalId: id, decision, status: result.status });
    }
  };

  const answerError: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    const known = asRouteError(err, maxBodyBytes);
    if (!known) return next(err);
    res.status(known.status).json({ error: known.code, message: known.message, ...known.details });
  };

  router.get('/api/approvals', noStore, admin, list);
  router.post('/api/approvals/:id', noStore, admin, jsonOnly, jsonBody, decide, answerError);
  router.all('/api/approvals', (_req, res) => {
    res.status(405).set('Allow', 'GET').json({ error: 'method_not_allowed', message: 'use GET' });
  });
  router.all('/api/approvals/:id', (_req, res) => {
    res.status(405).set('Allow', 'POST').json({ error: 'method_not_allowed', message: 'use POST' });
  });
  return router;
}

function parseDecision(body: unknown): { decision: 'approve' | 'reject'; reason?: string } {
  const result = decisionBody.safeParse(body);
  if (result.success) return result.data.reason ? result.data : { decision: result.data.decision };
  throw invalidPayload(result.error, 'decision and reason');
}
