import express, { type Router } from 'express';
import type { Client } from '@temporalio/client';
import type { ReviewStore } from '../reviews/store';
import { applyReviewDecision } from '../reviews/apply-decision';
import { maxReviewReasonLength } from '../temporal/messages';
import { actorOf, requireRole, type ApiTokens } from './auth';
import { renderReviewReport } from '../reports/access-review';

export interface ReviewRouteDeps {
  client: Client;
  reviews: ReviewStore;
  tokens: ApiTokens;
}


/**
 * Access reviews over HTTP:
 * - `POST /api/reviews/:campaign/items/:id` (admin) with `{decision: "keep" | "revoke", reason?}`
 *   (a revoke needs a reason): the decision goes to the reviewer's workflow, which records it
 *   (the first decision wins) and, for a revoke, removes the access at once. 200 with the item as
 *   stored afterwards, 400 bad body, 404 unknown item, 409 already decided or campaign closed.
 * - `GET /api/reports/access-reviews/:campaign?format=json|csv|pdf` (auditor): every item with its decision.
 */
export function reviewRouter(deps: ReviewRouteDeps): Router {
  const router = express.Router();
  const admin = requireRole(deps.tokens, 'admin');
  const auditor = requireRole(deps.tokens, 'auditor');

  router.post('/api/reviews/:campaign/items/:id', admin, express.json({ limit: '16kb' }), async (req, res) => {
    const { campaign, id } = req.params as { campaign: string; id: string };
    const body = (req.body ?? {}) as { decision?: unknown; reason?: unknown };
    const reason = typeof body.reason === 'string' ? body.reason.trim() : undefined;
    if (body.decision !== 'keep' && body.decision !== 'revoke') return void res.status(400).json({ error: 'bad_request', field: 'decision', message: 'decision must be "keep" or "revoke"' });
    if (body.reason !== undefined && typeof body.reason !== 'string') return void res.status(400).json({ error: 'bad_request', field: 'reason', message: 'reason must be a string' });
    if (body.decision === 'revoke' && !reason) return void res.status(400).json({ error: 'reason_required', field: 'reason', message: 'a revoke needs a reason' });
    if ((reason?.length ?? 0) > maxReviewReasonLength) return void res.status(400).json({ error: 'bad_request', field: 'reason', message: `reason is longer than ${maxReviewReasonLength} characters` });
    const result = await applyReviewDecision(deps.client, deps.reviews, campaign, id, { decision: body.decision, ...(reason ? { reason } : {}), decidedBy: actorOf(res), via: 'api' });
    switch (result.kind) {
      case 'not_found':
        return void res.status(404).json({ error: 'not_found', message: 'no such item in that campaign' });
      case 'not_open':
        return void res.status(409).json({ error: result.status === 'snapshotting' ? 'campaign_not_open' : 'campaign_closed', message: result.message });
      case 'already_decided':
        return void res.status(409).json({ error: 'already_decided', message: `the item is ${result.item?.status}`, item: result.item });
      case 'refused':
        if (result.reason === 'continuing_as_new') return void res.status(503).set('Retry-After', '5').json({ error: 'busy', message: 'the reviewer is busy with earlier decisions: send it again in a few seconds' });
        return void res.status(result.reason === 'reason_required' || result.reason === 'invalid_decision' ? 400 : 409).json({ error: result.reason, message: result.message });
      case 'decided':
        return void res.status(200).json({ outcome: result.outcome, item: result.item });
    }
  });

  router.get('/api/reports/access-reviews/:campaign', auditor, async (req, res) => {
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv' && format !== 'pdf') return void res.status(400).json({ error: 'bad_request', parameter: 'format', message: 'format: use json, csv or pdf' });
    const rendered = await renderReviewReport(deps.reviews, req.params.campaign as string, format);
    if (!rendered) return void res.status(404).json({ error: 'not_found', message: 'no such campaign' });
    if (format !== 'json') res.attachment(`${req.params.campaign}.${format}`);
    res.set('Cache-Control', 'no-store').type(rendered.contentType).send(rendered.body);
  });

  return router;
}
