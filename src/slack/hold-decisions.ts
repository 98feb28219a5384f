import type { EvidenceInput } from '../evidence/types';
import { HoldConflict, type HoldDecider } from '../leaver/hold-decide';
import type { HoldRecord } from '../leaver/hold-store';
import type { Logger } from '../log';
import type { SlackApi } from './client';
import { refusedHoldClickText, type RefusedHoldReason } from './hold-messages';

export interface HoldClickDeps {
  slack: Pick<SlackApi, 'user' | 'ephemeral'>;
  decide: HoldDecider;
  evidence: { append(input: EvidenceInput): Promise<unknown> };
  log: Logger;
  now?: () => Date;
}

/** A click on Release all or Abort in the security channel. */
export interface HoldClick {
  holdId: string;
  userId: string;
  decision: 'release' | 'abort';
  channel?: string;
  /** Slack's action_ts: keys the refusal evidence. */
  clickId: string;
}

/**
 * Hands a Release all / Abort click to the hold's workflow, as the clicker (with their Slack email
 * for the evidence). A refused click (decided already, not a decider, unknown hold) is answered
 * with an ephemeral explanation and recorded as leaver.hold_refused. Never throws.
 */
export function createHoldClicks(deps: HoldClickDeps) {
  const now = () => deps.now?.() ?? new Date();

  async function tell(click: HoldClick, text: string): Promise<void> {
    if (!click.channel) return;
    await deps.slack.ephemeral(click.channel, click.userId, text).catch((err: unknown) => deps.log.warn({ err, holdId: click.holdId }, 'could not answer the click'));
  }

  async function refused(click: HoldClick, reason: RefusedHoldReason, hold: HoldRecord | undefined, email?: string): Promise<void> {
    await tell(click, refusedHoldClickText(reason, hold ? { status: hold.status, ...(hold.decidedBy ? { decidedBy: hold.decidedBy } : {}) } : {}));
    await deps.evidence
      .append({
        stepKey: `slack:leaver.hold_refused:${click.holdId}:${click.userId}:${click.clickId}`,
        employeeId: click.holdId,
        hrSource: hold?.hrSource ?? 'unknown',
        actorType: 'approver',
        actorId: click.userId,
        action: 'leaver.hold_refused',
        occurredAt: now().toISOString(),
        where: 'slack',
        outcome: 'failure',
        context: { holdId: click.holdId, workflowId: click.holdId, attempted: click.decision, reason, approver: { slackId: click.userId, ...(email ? { email } : {}) } },
      })
      .catch((err: unknown) => deps.log.error({ err, holdId: click.holdId }, 'could not record a refused hold click'));
  }

  return async function handle(click: HoldClick): Promise<void> {
    let email: string | undefined;
    try {
      email = (await deps.slack.user(click.userId).catch(() => undefined))?.email?.toLowerCase();
      await deps.decide(click.holdId, { decision: click.decision, decidedBy: click.userId, via: 'slack', approver: { slackId: click.userId, ...(email ? { email } : {}) }, decidedAt: now().toISOString() });
      deps.log.info({ holdId: click.holdId, user: click.userId, decision: click.decision }, 'mass-termination hold decided in Slack');
    } catch (err) {
      if (err instanceof HoldConflict && err.reason !== 'not_ready') {
        const reason: RefusedHoldReason = err.reason === 'unknown_hold' ? 'unknown_hold' : err.reason === 'not_a_decider' ? 'not_a_decider' : 'already_decided';
        return refused(click, reason, err.hold, email);
      }
      deps.log.error({ err, holdId: click.holdId }, 'could not hand a Slack hold decision to the workflow');
      await tell(click, 'Your decision could not be recorded just now; nothing changed. Please try again in a minute.');
    }
  };
}
