/** Every Slack message the engine sends, as pure Block Kit builders. */
export * from './approval-messages';
export * from './notification-messages';
export { escapeMrkdwn, isSlackUserId } from './mrkdwn';
export * from './hold-messages';
export * from './orphan-messages';
export * from './review-messages';
