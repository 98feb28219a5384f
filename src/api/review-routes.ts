import express, { type Router } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ReviewStore } from '../reviews/store';
import { sendReviewDecision } from '../reviews/decide';
import type { ReviewItemOutcome } from '../temporal/messages';
import { actorOf, requireRole, type ApiTokens } from './auth';
import { renderReviewReport } from '../reports/access-review';

export interface ReviewRouteDeps {
  client: Client;
  reviews: ReviewStore;
  tokens: ApiTokens;
}

const maxReasonLength = 2000;

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
    if ((reason?.length ?? 0) > maxReasonLength) return void res.status(400).json({ error: 'bad_request', field: 'reason', message: `reason is longer than ${maxReasonLength} characters` });
    const item = await deps.reviews.item(campaign, id);
    if (!item) return void res.status(404).json({ error: 'not_found', message: 'no such item in that campaign' });
    const status = (await deps.reviews.campaign(campaign))?.status;
    if (status === 'snapshotting') return void res.status(409).json({ error: 'campaign_not_open', message: 'the campaign is still reading access: decisions open once every reviewer has been asked' });
    if (status === 'closed') return void res.status(409).json({ error: 'campaign_closed', message: 'the campaign is closed' });
    if (item.status !== 'pending') return void res.status(409).json({ error: 'already_decided', message: `the item is ${item.status}`, item });
    let outcome: ReviewItemOutcome;
    try {
      outcome = await sendReviewDecision(deps.client, campaign, item.reviewer, { itemId: id, decision: body.decision, ...(reason ? { reason } : {}), decidedBy: actorOf(res), via: 'api' }, async () =>
        (await deps.reviews.campaign(campaign))?.status === 'open',
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return void res.status(409).json({ error: 'campaign_closed', message: 'the campaign no longer takes decisions' });
      if (err instanceof WorkflowUpdateFailedError) {
        const type = err.cause instanceof ApplicationFailure ? err.cause.type : undefined;
        if (type === 'continuing_as_new') return void res.status(503).set('Retry-After', '5').json({ error: 'busy', message: 'the reviewer is busy with earlier decisions: send it again in a few seconds' });
        return void res.status(type === 'reason_required' || type === 'invalid_decision' ? 400 : 409).json({ error: type ?? 'refused', message: err.cause?.message ?? err.message });
      }
      throw err;
    }
    const after = await deps.reviews.item(campaign, id);
    if (outcome.result === 'already_decided') return void res.status(409).json({ error: 'already_decided', message: `the item is ${after?.status}`, item: after });
    res.status(200).json({ outcome, item: after });
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
