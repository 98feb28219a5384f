import { ApplicationFailure } from '@temporalio/activity';
import type { HrSource } from '../src/hris/hr-event';
import type { ReviewMessage } from '../src/reviews/message-store';
import type { ReviewWorkerRow } from '../src/reviews/worker-store';
import type { ReviewItem } from '../src/reviews/types';
import { reviewItemsPerMessage, reviewMessage, reviewReminderMessage, type ReviewMessageInput } from '../src/slack/review-messages';
import type { ActivityDeps } from './deps';
import type { ReviewDeps } from './reviews';
import { managerInSlack, slackStep } from './slack-step';
import { campaignEvidence } from './review-evidence';

/** Who reviews: the Slack users asked, why, and digests of their workers' work emails (self-review check). */
export interface ReviewerAsked {
  asked: string[];
  role: 'manager' | 'fallback';
  /** Asked on escalation (empty when the fallback reviewers are asked from the start). */
  fallback: string[];
  /** `<source>:<employeeId>` -> digest of the work email. */
  workerDigests: Record<string, string>;
}

const workerKey = (w: { hrSource: string; employeeId: string }) => `${w.hrSource}:${w.employeeId}`;

/**
 * A reviewer's Slack side: the first messages (one per worker and page of their items), a
 * reminder, the escalation to the fallback reviewers, and the update of every copy of a
 * worker's messages after a decision. Without Slack, nothing is posted: decisions go through
 * the API and the console.
 */
export function createReviewSlackActivities(deps: ActivityDeps) {
  const now = () => deps.now?.() ?? new Date();
  const reviews = (): ReviewDeps => {
    if (!deps.reviews) throw ApplicationFailure.create({ type: 'not_configured', message: 'access reviews are not configured on this worker', nonRetryable: true });
    return deps.reviews;
  };

  async function itemsOf(campaignId: string, reviewer: string, status?: ReviewItem['status']): Promise<ReviewItem[]> {
    const items: ReviewItem[] = [];
    for await (const page of reviews().store.items(campaignId, { reviewer, ...(status ? { status } : {}) })) items.push(...page);
    return items;
  }

  /** Posts each worker's pages to each recipient once (a retried step skips what was posted). */
  async function postPages(campaignId: string, reviewer: string, dueAt: string, recipients: string[], role: ReviewMessageInput['role'], items: ReviewItem[], workers: ReviewWorkerRow[]): Promise<{ posted: number; refused: number }> {
    const slack = deps.slack;
    if (!slack || recipients.length === 0) return { posted: 0, refused: 0 };
    const byWorker = new Map<string, ReviewItem[]>();
    for (const item of items) byWorker.set(workerKey(item), [...(byWorker.get(workerKey(item)) ?? []), item]);
    const views = new Map(workers.map((w) => [workerKey(w), w]));
    let posted = 0;
    let refused = 0;
    for (const [key, all] of byWorker) {
      const first = all[0]!;
      const view = views.get(key) ?? { hrSource: first.hrSource, employeeId: first.employeeId };
      const pages = Math.ceil(all.length / reviewItemsPerMessage);
      for (let page = 1; page <= pages; page++) {
        const pageItems = all.slice((page - 1) * reviewItemsPerMessage, page * reviewItemsPerMessage);
        for (const recipient of recipients) {
          const ref = { campaignId, recipient, hrSource: first.hrSource, employeeId: first.employeeId, page };
          if (await reviews().messages.posted(ref)) continue;
          const worker = { ...(view.name ? { name: view.name } : {}), ...(view.jobTitle ? { jobTitle: view.jobTitle } : {}), ...(view.department ? { department: view.department } : {}) };
          const content = reviewMessage({ campaignId, dueAt, worker: { ...worker, hrSource: first.hrSource, employeeId: first.employeeId }, items: pageItems, page, pages, role });
          const message = await slackStep(() => slack.post(recipient, content), 'permanent');
          if (!message) {
            refused += 1;
            continue;
          }
          await reviews().messages.record({ ...ref, reviewer, pages, itemIds: pageItems.map((i) => i.itemId), worker, channel: message.channel, ts: message.ts } satisfies ReviewMessage, now());
          posted += 1;
        }
      }
    }
    return { posted, refused };
  }

  const record = campaignEvidence(deps);

  return {
    /** Finds the reviewer in Slack (the manager, else the fallback reviewers) and sends them their workers' messages. */
    async askReviewer(input: { campaignId: string; reviewer: string; dueAt: string }): Promise<ReviewerAsked> {
      const fallback = reviews().fallbackReviewers;
      const [, source, managerId] = input.reviewer.split(':') as [string, HrSource | undefined, string | undefined];
      const manager = input.reviewer.startsWith('manager:') && source ? (await managerInSlack(deps, source, managerId)).user : undefined;
      const role = manager ? 'manager' : 'fallback';
      const asked = manager ? [manager.id] : [...fallback];
      const items = await itemsOf(input.campaignId, input.reviewer);
      const keys = [...new Map(items.map((i) => [workerKey(i), { hrSource: i.hrSource, employeeId: i.employeeId }])).values()];
      const workers = await reviews().workers.get(input.campaignId, keys);
      const sent = await postPages(input.campaignId, input.reviewer, input.dueAt, asked, role, items, workers);
      // Asked in Slack only when Slack took every message (without Slack, decisions go through the API and the console).
      await record(input.campaignId, 'review.asked', input.reviewer, sent.refused > 0 ? 'failure' : 'success', { reviewer: input.reviewer, asked, role, items: items.length, workers: keys.length, messages: sent.posted, refused: sent.refused, slack: deps.slack !== undefined }, { slack: true });
      return { asked, role, fallback: manager ? fallback.filter((f) => f !== manager.id) : [], workerDigests: Object.fromEntries(workers.filter((w) => w.emailDigest).map((w) => [workerKey(w), w.emailDigest!])) };
    },

    /** Reminds the reviewer of what is still to decide; answers how many items that is. */
    async remindReviewer(input: { campaignId: string; reviewer: string; asked: string[]; dueAt: string; count: number }): Promise<number> {
      const pending = (await itemsOf(input.campaignId, input.reviewer, 'pending')).length;
      if (pending === 0) return 0;
      const slack = deps.slack;
      let sent = 0;
      if (slack) for (const recipient of input.asked) if (await slackStep(() => slack.post(recipient, reviewReminderMessage({ campaignId: input.campaignId, dueAt: input.dueAt, pending, count: input.count })), 'permanent')) sent += 1;
      // Reminded only as far as Slack took the reminders.
      const reminded = sent > 0 && sent === input.asked.length;
      await record(input.campaignId, 'review.reminded', `${input.reviewer}:${input.count}`, reminded ? 'success' : 'failure', { reviewer: input.reviewer, asked: input.asked, sent, pending, count: input.count, ...(reminded ? {} : { reason: !slack ? 'no Slack: nobody was reminded' : input.asked.length === 0 ? 'nobody to remind in Slack' : 'Slack refused a reminder' }) }, { slack: true });
      return pending;
    },

    /** The fallback reviewers are asked too, with the items still to decide; answers who they are. */
    async escalateReview(input: { campaignId: string; reviewer: string; fallback: string[]; dueAt: string }): Promise<string[]> {
      const pending = await itemsOf(input.campaignId, input.reviewer, 'pending');
      if (pending.length === 0 || input.fallback.length === 0) return [];
      const keys = [...new Map(pending.map((i) => [workerKey(i), { hrSource: i.hrSource, employeeId: i.employeeId }])).values()];
      const workers = await reviews().workers.get(input.campaignId, keys);
      const sent = await postPages(input.campaignId, input.reviewer, input.dueAt, input.fallback, 'escalated', pending, workers);
      await record(input.campaignId, 'review.escalated', input.reviewer, sent.refused > 0 ? 'failure' : 'success', { reviewer: input.reviewer, to: input.fallback, pending: pending.length, messages: sent.posted, refused: sent.refused }, { slack: true });
      return input.fallback;
    },

    /** Every copy of a worker's messages shows the decisions as the store has them now. */
    async refreshReviewMessages(input: { campaignId: string; hrSource: string; employeeId: string; dueAt: string }): Promise<number> {
      const slack = deps.slack;
      if (!slack) return 0;
      const messages = await reviews().messages.forWorker(input.campaignId, input.hrSource, input.employeeId);
      let updated = 0;
      for (const m of messages) {
        const items = (await Promise.all(m.itemIds.map((id) => reviews().store.item(input.campaignId, id)))).filter((i): i is ReviewItem => i !== undefined);
        const role = m.reviewer.startsWith('manager:') && !reviews().fallbackReviewers.includes(m.recipient) ? 'manager' : 'fallback';
        const content = reviewMessage({ campaignId: input.campaignId, dueAt: input.dueAt, worker: { ...m.worker, hrSource: m.hrSource, employeeId: m.employeeId }, items, page: m.page, pages: m.pages, role });
        const done = await slackStep(async () => {
          await slack.update({ channel: m.channel, ts: m.ts }, content);
          return true;
        }, 'permanent');
        if (done) updated += 1;
      }
      return updated;
    },
  };
}

export type ReviewSlackActivities = ReturnType<typeof createReviewSlackActivities>;
