import type { HrSource } from '../src/hris/hr-event';
import { joinerProvisionedMessage, leaverFinishedMessage, slaBreachAlert, type MessageContent } from '../src/slack/messages';
import type { ActivityDeps } from './deps';
import { managerInSlack, slackStep } from './slack-step';

export type LeaverFinishedNotice = Parameters<typeof leaverFinishedMessage>[0];
export type SlaBreachNotice = Parameters<typeof slaBreachAlert>[0];
export type JoinerProvisionedNotice = Parameters<typeof joinerProvisionedMessage>[0] & { managerId?: string };

/**
 * Messages to people (the security channel, a joiner's manager). Without Slack, or without a
 * channel to post to, they go to the log. Slack's transient errors and 429s fail the activity
 * as retryable (honouring Retry-After); the workflows run these beside their real work.
 */
export function createNotificationActivities(deps: ActivityDeps) {
  /** `logged`: the text for the log when there is no Slack to post to; it must carry IDs, never a name. */
  async function post(channel: string | undefined, content: MessageContent, what: string, logged = content.text): Promise<boolean> {
    const slack = deps.slack;
    if (!slack || !channel) {
      deps.log.info({ notification: what, ...(channel ? { channel } : {}) }, logged);
      return false;
    }
    await slackStep(() => slack.post(channel, content));
    return true;
  }

  return {
    /** One message to `sla.securityChannel` when a leaver is fully offboarded. */
    async notifyLeaverFinished(notice: LeaverFinishedNotice): Promise<boolean> {
      return post(deps.notifications?.securityChannel, leaverFinishedMessage(notice), 'leaver.finished');
    },

    /** An alert to `sla.securityChannel` the moment the session-kill SLA is missed. */
    async alertSlaBreach(notice: SlaBreachNotice): Promise<boolean> {
      return post(deps.notifications?.securityChannel, slaBreachAlert(notice), 'leaver.sla_breach');
    },

    /** Tells a joiner's manager (found like an approver: HRIS manager -> email -> Slack) what is ready. */
    async notifyJoinerProvisioned(notice: JoinerProvisionedNotice & { source: HrSource }): Promise<boolean> {
      const { managerId, source, ...message } = notice;
      const manager = await managerInSlack(deps, source, managerId);
      // The manager's message names the joiner; the log gets the same notice by employee ID.
      const { name: _name, ...unnamed } = message;
      return post(manager.user?.id, joinerProvisionedMessage(message), 'joiner.provisioned', joinerProvisionedMessage(unnamed).text);
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
