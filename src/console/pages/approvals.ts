import { html } from 'htm/preact';
import type { VNode } from 'preact';
import type { ApprovalRecord } from '../../approvals/types';
import { maxReasonLength } from '../../api/approval-routes';
import { formatTime, notice, signedInPage, workflowLink, type PageContext } from './layout';

/** What the last decision came to, shown once after the redirect (codes only: nothing the visitor typed is echoed). */
export type DecisionOutcome = 'approved' | 'rejected' | 'accepted' | 'already_decided' | 'refused' | 'not_found' | 'reason_required' | 'bad_decision';

const outcomeText: Record<DecisionOutcome, { kind: 'ok' | 'problem'; text: (id: string) => string }> = {
  approved: { kind: 'ok', text: (id) => `Approval ${id} approved: the grant goes ahead.` },
  rejected: { kind: 'ok', text: (id) => `Approval ${id} rejected, with your reason recorded.` },
  accepted: { kind: 'ok', text: (id) => `The decision on ${id} was handed to its workflow and is not recorded yet: reload in a moment.` },
  already_decided: { kind: 'problem', text: (id) => `Approval ${id} was already decided, or has expired: nothing changed.` },
  refused: { kind: 'problem', text: (id) => `The workflow refused the decision on ${id}: nothing changed.` },
  not_found: { kind: 'problem', text: (id) => `There is no approval ${id}.` },
  reason_required: { kind: 'problem', text: (id) => `A rejection needs a reason: nothing was decided on ${id}.` },
  bad_decision: { kind: 'problem', text: (id) => `That decision on ${id} could not be read: nothing was decided.` },
};

export const isDecisionOutcome = (value: unknown): value is DecisionOutcome => typeof value === 'string' && Object.hasOwn(outcomeText, value);

/** Pending approvals, oldest first; an admin gets Approve, and Reject with a required reason, for each. */
export function approvalsPage(ctx: PageContext, pending: ApprovalRecord[], last?: { outcome: DecisionOutcome; id: string }): string {
  const admin = ctx.session.role === 'admin';
  const shown = last ? outcomeText[last.outcome] : undefined;
  const content = html`
    ${shown && last ? notice(shown.kind, shown.text(last.id)) : null}
    <p>${pending.length === 0 ? 'No approval is waiting for a decision.' : `${pending.length} approval(s) wait for a decision, oldest first.`}
      ${admin ? '' : ' Deciding needs an admin token.'}</p>
    ${pending.length > 0
      ? html`<table id="approvals-table">
          <thead>
            <tr><th scope="col">Approval</th><th scope="col">Employee</th><th scope="col">System</th><th scope="col">Entitlement</th><th scope="col">Rules</th>
              <th scope="col">Requested</th><th scope="col">Expires</th><th scope="col">Workflow</th>${admin ? html`<th scope="col">Decision</th>` : null}</tr>
          </thead>
          <tbody>
            ${pending.map((a) => row(ctx, a, admin))}
          </tbody>
        </table>`
      : null}
  `;
  return signedInPage(ctx, 'approvals', 'Pending approvals', content);
}

function row(ctx: PageContext, a: ApprovalRecord, admin: boolean): VNode {
  const action = `/console/approvals/${encodeURIComponent(a.approvalId)}`;
  const reasonId = `reason-${a.approvalId}`;
  return html`<tr data-approval=${a.approvalId}>
    <th scope="row"><code>${a.approvalId}</code></th>
    <td>${a.hrSource}:${a.employeeId}</td>
    <td>${a.system}</td>
    <td><code>${a.entitlement}</code></td>
    <td>${a.rules.join(', ')}</td>
    <td>${formatTime(a.requestedAt)}</td>
    <td>${formatTime(a.expiresAt)}</td>
    <td>${workflowLink(ctx.temporalUi, a.workflowId)}</td>
    ${admin
      ? html`<td class="decide">
          <form method="post" action=${action}>
            <input type="hidden" name="_csrf" value=${ctx.csrf} />
            <input type="hidden" name="decision" value="approve" />
            <button type="submit" aria-label=${`Approve ${a.system} ${a.entitlement} for ${a.hrSource}:${a.employeeId}`}>Approve</button>
          </form>
          <form method="post" action=${action}>
            <input type="hidden" name="_csrf" value=${ctx.csrf} />
            <input type="hidden" name="decision" value="reject" />
            <label for=${reasonId}>Reason for rejecting</label>
            <textarea id=${reasonId} name="reason" required maxlength=${maxReasonLength} rows="2"></textarea>
            <button type="submit" aria-label=${`Reject ${a.system} ${a.entitlement} for ${a.hrSource}:${a.employeeId}`}>Reject</button>
          </form>
        </td>`
      : null}
  </tr>`;
}
