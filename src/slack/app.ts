import { App, ExpressReceiver, LogLevel, type BlockButtonAction, type Logger as BoltLogger } from '@slack/bolt';
import type { Router } from 'express';
import type { Logger } from '../log';
import type { SlackApi } from './client';
import { createSlackDecisions, type SlackDecisionDeps } from './decisions';
import { createHoldClicks } from './hold-decisions';
import type { HoldDecider } from '../leaver/hold-decide';
import { abortHoldActionId, approveActionId, reasonActionId, reasonBlockId, rejectActionId, rejectReasonCallbackId, releaseHoldActionId } from './ids';
import { rejectReasonModal } from './messages';
import { reviewSlackActions, type ReviewClickDeps } from './review-actions';

export interface SlackAppDeps extends Omit<SlackDecisionDeps, 'slack'> {
  signingSecret: string;
  botToken: string;
  /** Web API base (SLACK_API_URL), for Bolt's own client. */
  apiUrl?: string;
  slack: SlackApi;
  /** Decides mass-termination holds (Release all / Abort in the security channel). */
  decideHold?: HoldDecider;
  /** Access reviews: Keep / Revoke / Keep all on review messages. */
  reviews?: Pick<ReviewClickDeps, 'client' | 'reviews'>;
}

/** Bolt logs through the engine's logger (JSON on stderr), never its own console output. */
function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'slack' });
  let level = LogLevel.WARN;
  return {
    debug: (...msg) => child.debug(msg.map(String).join(' ')),
    info: (...msg) => child.info(msg.map(String).join(' ')),
    warn: (...msg) => child.warn(msg.map(String).join(' ')),
    error: (...msg) => child.error(msg.map(String).join(' ')),
    setLevel: (l) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}

interface RejectMetadata {
  approvalId: string;
  channel?: string;
}

/**
 * `POST /slack/events`: Bolt verifies Slack's request signature (401 for a bad or stale one),
 * the handler acknowledges at once, and the decision then goes to the waiting workflow.
 * Approve decides directly; Reject first asks for a reason in a modal.
 */
export function slackRouter(deps: SlackAppDeps): Router {
  const receiver = new ExpressReceiver({
    signingSecret: deps.signingSecret,
    endpoints: '/slack/events',
    processBeforeResponse: false,
    logger: boltLogger(deps.log),
  });
  const app = new App({
    receiver,
    token: deps.botToken,
    logger: boltLogger(deps.log),
    clientOptions: { ...(deps.apiUrl ? { slackApiUrl: deps.apiUrl.endsWith('/') ? deps.apiUrl : `${deps.apiUrl}/` } : {}), retryConfig: { retries: 2 } },
  });
  const decisions = createSlackDecisions(deps);

  app.action<BlockButtonAction>(approveActionId, async ({ ack, body, action }) => {
    await ack();
    await decisions.handle({
      approvalId: action.value ?? '',
      userId: body.user.id,
      decision: 'approve',
      channel: body.container?.channel_id ?? body.channel?.id,
      clickId: action.action_ts,
    });
  });

  app.action<BlockButtonAction>(rejectActionId, async ({ ack, body, action }) => {
    await ack();
    const click = {
      approvalId: action.value ?? '',
      userId: body.user.id,
      decision: 'reject' as const,
      channel: body.container?.channel_id ?? body.channel?.id,
      clickId: action.action_ts,
    };
    if (!(await decisions.stillPending(click))) return;
    const metadata: RejectMetadata = { approvalId: click.approvalId, ...(click.channel ? { channel: click.channel } : {}) };
    await deps.slack
      .openView(
        body.trigger_id,
        rejectReasonModal({ approvalId: click.approvalId, privateMetadata: JSON.stringify(metadata), summary: 'Say why this access should not be granted. The reason is kept as audit evidence.' }),
      )
      .catch((err: unknown) => deps.log.warn({ err, approvalId: click.approvalId }, 'could not open the rejection dialog'));
  });

  app.view(rejectReasonCallbackId, async ({ ack, body, view }) => {
    const reason = view.state.values[reasonBlockId]?.[reasonActionId]?.value?.trim() ?? '';
    if (reason.length < 3) {
      await ack({ response_action: 'errors', errors: { [reasonBlockId]: 'Give a reason of at least 3 characters.' } });
      return;
    }
    await ack();
    let metadata: RejectMetadata;
    try {
      metadata = JSON.parse(view.private_metadata) as RejectMetadata;
    } catch {
      deps.log.warn({ user: body.user.id }, 'rejection dialog without readable metadata');
      return;
    }
    await decisions.handle({
      approvalId: String(metadata.approvalId ?? ''),
      userId: body.user.id,
      decision: 'reject',
      reason,
      ...(metadata.channel ? { channel: metadata.channel } : {}),
      clickId: `${view.id}:${view.hash}`,
    });
  });

  const decideHold = deps.decideHold;
  if (decideHold) {
    const holdClick = createHoldClicks({ slack: deps.slack, decide: decideHold, evidence: deps.evidence, log: deps.log, ...(deps.now ? { now: deps.now } : {}) });
    for (const [actionId, decision] of [
      [releaseHoldActionId, 'release'],
      [abortHoldActionId, 'abort'],
    ] as const) {
      app.action<BlockButtonAction>(actionId, async ({ ack, body, action }) => {
        await ack();
        await holdClick({ holdId: action.value ?? '', userId: body.user.id, decision, channel: body.container?.channel_id ?? body.channel?.id, clickId: action.action_ts });
      });
    }
  }

  if (deps.reviews) reviewSlackActions(app, { ...deps.reviews, slack: deps.slack, evidence: deps.evidence, log: deps.log, ...(deps.now ? { now: deps.now } : {}) });

  app.error(async (err) => {
    deps.log.error({ err }, 'Slack handler failed');
  });
  return receiver.router;
}
