import type { App, BlockButtonAction } from '@slack/bolt';
import type { SlackApi } from './client';
import { parseReviewButtonValue, reasonActionId, reasonBlockId, reviewKeepActionId, reviewKeepAllActionId, reviewRevokeActionId, reviewRevokeReasonCallbackId } from './ids';
import { createReviewClicks, type ReviewClickDeps as ClickDeps } from './review-decisions';
import { reviewRevokeModal } from './review-messages';

export type ReviewClickDeps = ClickDeps & { slack: ClickDeps['slack'] & Pick<SlackApi, 'openView'> };

interface RevokeMetadata {
  campaignId: string;
  itemId: string;
  channel?: string;
}

/**
 * The review messages' buttons: Keep decides at once, Keep all keeps every item still pending
 * on that page (each judged on its own), Revoke first asks for a reason in a modal.
 */
export function reviewSlackActions(app: App, deps: ReviewClickDeps): void {
  const clicks = createReviewClicks(deps);
  const channelOf = (body: { container?: { channel_id?: string }; channel?: { id?: string } }) => body.container?.channel_id ?? body.channel?.id;

  for (const [actionId, all] of [
    [reviewKeepActionId, false],
    [reviewKeepAllActionId, true],
  ] as const) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action }) => {
      await ack();
      const parsed = parseReviewButtonValue(action.value ?? '');
      if (!parsed) return deps.log.warn({ user: body.user.id }, 'review button without a readable value');
      for (const itemId of all ? parsed.itemIds : parsed.itemIds.slice(0, 1)) {
        await clicks.handle({ campaignId: parsed.campaignId, itemId, userId: body.user.id, decision: 'keep', channel: channelOf(body), clickId: `${action.action_ts}:${itemId}` });
      }
    });
  }

  app.action<BlockButtonAction>(reviewRevokeActionId, async ({ ack, body, action }) => {
    await ack();
    const parsed = parseReviewButtonValue(action.value ?? '');
    if (!parsed) return deps.log.warn({ user: body.user.id }, 'review button without a readable value');
    const click = { campaignId: parsed.campaignId, itemId: parsed.itemIds[0]!, userId: body.user.id, decision: 'revoke' as const, channel: channelOf(body), clickId: action.action_ts };
    if (!(await clicks.stillPending(click))) return;
    const metadata: RevokeMetadata = { campaignId: click.campaignId, itemId: click.itemId, ...(click.channel ? { channel: click.channel } : {}) };
    await deps.slack
      .openView(body.trigger_id, reviewRevokeModal({ privateMetadata: JSON.stringify(metadata), summary: 'Say why this access should go. It is removed at once, and the reason is kept as audit evidence.' }))
      .catch((err: unknown) => deps.log.warn({ err, itemId: click.itemId }, 'could not open the revoke dialog'));
  });

  app.view(reviewRevokeReasonCallbackId, async ({ ack, body, view }) => {
    const reason = view.state.values[reasonBlockId]?.[reasonActionId]?.value?.trim() ?? '';
    if (reason.length < 3) {
      await ack({ response_action: 'errors', errors: { [reasonBlockId]: 'Give a reason of at least 3 characters.' } });
      return;
    }
    await ack();
    let metadata: RevokeMetadata;
    try {
      metadata = JSON.parse(view.private_metadata) as RevokeMetadata;
    } catch {
      return deps.log.warn({ user: body.user.id }, 'revoke dialog without readable metadata');
    }
    await clicks.handle({
      campaignId: String(metadata.campaignId ?? ''),
      itemId: String(metadata.itemId ?? ''),
      userId: body.user.id,
      decision: 'revoke',
      reason,
      ...(metadata.channel ? { channel: metadata.channel } : {}),
      clickId: `${view.id}:${view.hash}`,
    });
  });
}
