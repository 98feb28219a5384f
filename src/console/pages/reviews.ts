import { html } from 'htm/preact';
import type { VNode } from 'preact';
import type { Campaign, ReviewItem } from '../../reviews/types';
import { maxReviewReasonLength } from '../../temporal/messages';
import { formatTime, notice, signedInPage, workflowLink, type PageContext } from './layout';

/** What the last decision came to, shown once after the redirect (codes only: nothing typed is echoed). */
export type ReviewOutcome = 'kept' | 'revoked' | 'revoke_failed' | 'already_decided' | 'closed' | 'reason_required' | 'bad_decision' | 'not_found' | 'busy';

const outcomeText: Record<ReviewOutcome, { kind: 'ok' | 'problem'; text: (id: string) => string }> = {
  kept: { kind: 'ok', text: (id) => `Item ${id} kept.` },
  revoked: { kind: 'ok', text: (id) => `Item ${id} revoked: the access is gone from its system (a fresh read shows it), with your reason recorded.` },
  revoke_failed: { kind: 'problem', text: (id) => `Item ${id} is recorded revoked, but its system has not confirmed the removal yet: see the item's revoke outcome.` },
  already_decided: { kind: 'problem', text: (id) => `Item ${id} was already decided: nothing changed.` },
  closed: { kind: 'problem', text: (id) => `The campaign of item ${id} no longer takes decisions: nothing changed.` },
  reason_required: { kind: 'problem', text: (id) => `A revoke needs a reason: nothing was decided on ${id}.` },
  bad_decision: { kind: 'problem', text: (id) => `That decision on ${id} could not be read: nothing was decided.` },
  not_found: { kind: 'problem', text: (id) => `There is no item ${id} in this campaign.` },
  busy: { kind: 'problem', text: (id) => `The reviewer of ${id} is busy with earlier decisions: try again in a few seconds. Nothing changed.` },
};

export const isReviewOutcome = (value: unknown): value is ReviewOutcome => typeof value === 'string' && Object.hasOwn(outcomeText, value);

const maxShown = 500;

/** Campaigns, and the chosen one's items still to decide (an admin may keep or revoke each, a revoke with a reason). */
export function reviewsPage(ctx: PageContext, campaigns: Campaign[], chosen: Campaign | undefined, pending: ReviewItem[], last?: { outcome: ReviewOutcome; id: string }): string {
  const admin = ctx.session.role === 'admin';
  const shown = last ? outcomeText[last.outcome] : undefined;
  const content = html`
    ${shown && last ? notice(shown.kind, shown.text(last.id)) : null}
    ${campaigns.length === 0
      ? html`<p>No access review has been started yet (reviews.schedule, or <code>jml review start</code>).</p>`
      : html`<table id="campaigns-table">
          <thead><tr><th scope="col">Campaign</th><th scope="col">Status</th><th scope="col">Opened</th><th scope="col">Due</th><th scope="col">Closed</th><th scope="col">Workflow</th></tr></thead>
          <tbody>
            ${campaigns.map(
              (c) => html`<tr data-campaign=${c.campaignId}>
                <th scope="row"><a href=${`/console/reviews?campaign=${encodeURIComponent(c.campaignId)}`} aria-current=${chosen?.campaignId === c.campaignId ? 'true' : undefined}>${c.campaignId}</a></th>
                <td>${c.status}</td><td>${formatTime(c.openedAt)}</td><td>${formatTime(c.dueAt)}</td><td>${formatTime(c.closedAt)}</td>
                <td>${workflowLink(ctx.temporalUi, c.campaignId)}</td>
              </tr>`,
            )}
          </tbody>
        </table>`}
    ${chosen ? pendingSection(ctx, chosen, pending, admin) : null}
  `;
  return signedInPage(ctx, 'reviews', 'Access reviews', content);
}

function pendingSection(ctx: PageContext, campaign: Campaign, pending: ReviewItem[], admin: boolean): VNode {
  const open = campaign.status === 'open';
  return html`<section aria-labelledby="pending-h">
    <h2 id="pending-h">${campaign.campaignId}: items to decide (${pending.length}${pending.length > maxShown ? `, first ${maxShown} shown` : ''})</h2>
    <p>
      The report of every item: <a href=${`/console/downloads/access-review.csv?campaign=${encodeURIComponent(campaign.campaignId)}`} download>CSV</a>.
      ${open ? (admin ? ' Deciding here is recorded as the console admin, as an override of the reviewer.' : ' Deciding needs an admin token.') : ' This campaign does not take decisions now.'}
    </p>
    ${pending.length > 0
      ? html`<table id="review-items-table">
          <thead><tr><th scope="col">Worker</th><th scope="col">Department</th><th scope="col">System</th><th scope="col">Entitlement</th><th scope="col">Basis</th><th scope="col">Reviewer</th>${admin && open ? html`<th scope="col">Decision</th>` : null}</tr></thead>
          <tbody>${pending.slice(0, maxShown).map((i) => itemRow(ctx, campaign, i, admin && open))}</tbody>
        </table>`
      : html`<p>Nothing is waiting for a decision in this campaign.</p>`}
  </section>`;
}

function itemRow(ctx: PageContext, campaign: Campaign, i: ReviewItem, decide: boolean): VNode {
  const action = `/console/reviews/${encodeURIComponent(campaign.campaignId)}/items/${encodeURIComponent(i.itemId)}`;
  const what = `${i.system} ${i.entitlement} for ${i.hrSource}:${i.employeeId}`;
  return html`<tr data-item=${i.itemId}>
    <th scope="row">${i.hrSource}:${i.employeeId}</th>
    <td>${i.department ?? '—'}</td>
    <td>${i.system}</td>
    <td><code>${i.entitlement}</code></td>
    <td>${i.basis === 'policy' ? `policy (${i.rules.join(', ') || 'birthright'})` : html`<strong>by hand</strong>`}</td>
    <td>${i.reviewer}</td>
    ${decide
      ? html`<td class="decide">
          <form method="post" action=${action}>
            <input type="hidden" name="_csrf" value=${ctx.csrf} />
            <input type="hidden" name="decision" value="keep" />
            <button type="submit" aria-label=${`Keep ${what}`}>Keep</button>
          </form>
          <form method="post" action=${action}>
            <input type="hidden" name="_csrf" value=${ctx.csrf} />
            <input type="hidden" name="decision" value="revoke" />
            <label for=${`reason-${i.itemId}`}>Reason for revoking</label>
            <textarea id=${`reason-${i.itemId}`} name="reason" required maxlength=${maxReviewReasonLength} rows="2"></textarea>
            <button type="submit" aria-label=${`Revoke ${what}`}>Revoke</button>
          </form>
        </td>`
      : null}
  </tr>`;
}
