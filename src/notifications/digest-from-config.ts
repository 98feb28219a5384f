import type { AppConfig } from '../config/load';
import type { Logger } from '../log';
import type { Services } from '../runtime/services';
import { accessChangeOf, startAdminDigest, type AdminDigest } from './admin-digest';

/**
 * The admin digest of a worker process when `notifications.adminChannel` is set: posted to that
 * Slack channel, or logged (info) without SLACK_BOT_TOKEN; none otherwise. Listens to the
 * evidence this process stores until stopped.
 */
export function adminDigestFor(config: AppConfig, services: Pick<Services, 'slack' | 'evidenceStored'>, log: Logger, source: string): AdminDigest | undefined {
  const channel = config.file.notifications.adminChannel;
  if (!channel) return undefined;
  const { slack } = services;
  const digest = startAdminDigest({
    everyMs: config.file.notifications.every,
    source,
    post: async (message) => {
      if (slack) await slack.post(channel, { text: message.text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: message.text } }] });
      else log.info({ channel, changes: message.changes, digest: message.text }, 'access changes (no SLACK_BOT_TOKEN: logged here)');
    },
    onError: (err) => log.warn({ channel, code: (err as { code?: string }).code }, 'access-change digest not posted; kept for the next one'),
  });
  const listener = (input: Parameters<typeof accessChangeOf>[0]) => {
    const change = accessChangeOf(input);
    if (change) digest.add(change);
  };
  services.evidenceStored.add(listener);
  return {
    ...digest,
    async stop() {
      services.evidenceStored.delete(listener);
      await digest.stop();
    },
  };
}
