import type { Client } from '@temporalio/client';
import type { RequestHandler, Response, Router } from 'express';
import { renderReviewReport } from '../reports/access-review';
import { applyReviewDecision } from '../reviews/apply-decision';
import { maxReviewReasonLength } from '../temporal/messages';
import { campaignIdPattern } from '../reviews/ids';
import type { ReviewStore } from '../reviews/store';
import type { ReviewItem } from '../reviews/types';
import { messagePage, noStore, sessionOf } from './guard';
import type { PageContext } from './pages/layout';
import { isReviewOutcome, reviewsPage, type ReviewOutcome } from './pages/reviews';

export interface ReviewPageDeps {
  client: Client;
  reviews: ReviewStore;
}

interface Tools {
  auth: RequestHandler;
  csrf: RequestHandler;
  adminOnly: RequestHandler;
  formBody: RequestHandler;
  context: (res: Response) => PageContext;
}

const campaignsShown = 20;

/**
 * `/console/reviews`: the campaigns, and the chosen one's items still to decide; an admin keeps
 * or revokes an item (a revoke with a reason) the way the API does, through the reviewer's
 * workflow, recorded as decided by the console's admin and reported as the store shows it.
 */
export function mountReviewPages(router: Router, deps: ReviewPageDeps, t: Tools): void {
  router.get('/console/reviews', noStore, t.auth, async (req, res) => {
    const campaigns = await deps.reviews.campaigns(campaignsShown);
    const asked = typeof req.query.campaign === 'string' && campaignIdPattern.test(req.query.campaign) ? req.query.campaign : undefined;
    const chosen = asked ? await deps.reviews.campaign(asked) : campaigns[0];
    const pending: ReviewItem[] = [];
    if (chosen) for await (const page of deps.reviews.items(chosen.campaignId, { status: 'pending' })) pending.push(...page);
    const { outcome, id } = req.query;
    const last = isReviewOutcome(outcome) && typeof id === 'string' && id.length <= 100 ? { outcome, id } : undefined;
    res.type('html').send(reviewsPage(t.context(res), campaigns, chosen, pending, last));
  });

  router.post('/console/reviews/:campaign/items/:id', noStore, t.auth, t.formBody, t.csrf, t.adminOnly, async (req, res) => {
    const { campaign, id } = req.params as { campaign: string; id: string };
    const body = req.body as Record<string, unknown>;
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    const back = (outcome: ReviewOutcome) => res.redirect(303, `/console/reviews?campaign=${encodeURIComponent(campaign)}&outcome=${outcome}&id=${encodeURIComponent(id)}`);
    const decision = body.decision;
    if ((decision !== 'keep' && decision !== 'revoke') || reason.length > maxReviewReasonLength || !campaignIdPattern.test(campaign)) return back('bad_decision');
    if (decision === 'revoke' && !reason) return back('reason_required');
    const result = await applyReviewDecision(deps.client, deps.reviews, campaign, id, { decision, ...(reason ? { reason } : {}), decidedBy: sessionOf(res).actor, via: 'console' });
    switch (result.kind) {
      case 'not_found':
        return back('not_found');
      case 'already_decided':
        return back('already_decided');
      case 'not_open':
        return back('closed');
      case 'refused':
        return back(result.reason === 'continuing_as_new' ? 'busy' : result.reason === 'reason_required' ? 'reason_required' : result.reason === 'campaign_closed' ? 'closed' : 'bad_decision');
      case 'decided':
        if (result.outcome.result === 'not_found') return back('not_found');
        if (result.item?.status === 'kept') return back('kept');
        return back(result.item?.status === 'revoked' && result.item.revokeOutcome === 'success' ? 'revoked' : 'revoke_failed');
    }
  });

  router.get('/console/downloads/access-review.csv', noStore, t.auth, async (req, res) => {
    const campaign = typeof req.query.campaign === 'string' ? req.query.campaign : '';
    const rendered = campaignIdPattern.test(campaign) ? await renderReviewReport(deps.reviews, campaign, 'csv') : undefined;
    if (!rendered) return messagePage(res, 404, 'Not found', 'There is no such campaign.');
    res.attachment(`${campaign}.csv`).type(rendered.contentType).send(rendered.body);
  });
}
