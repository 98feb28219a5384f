/** Identifiers shared by the Slack messages the engine sends and the handlers that receive their clicks. */

export const approveActionId = 'jml_approve';
export const rejectActionId = 'jml_reject';
export const rejectReasonCallbackId = 'jml_reject_reason';
export const reasonBlockId = 'reason';
export const reasonActionId = 'reason_input';
/** block_id of the actions block of an approval message: jml_approval:<approvalId> */
export const approvalBlockId = (approvalId: string) => `jml_approval:${approvalId}`;
export const releaseHoldActionId = 'jml_hold_release';
export const abortHoldActionId = 'jml_hold_abort';
/** block_id of the actions block of a mass-termination hold message: jml_hold:<holdId> */
export const holdBlockId = (holdId: string) => `jml_hold:${holdId}`;
export const reviewKeepActionId = 'jml_review_keep';
export const reviewRevokeActionId = 'jml_review_revoke';
export const reviewKeepAllActionId = 'jml_review_keep_all';
export const reviewRevokeReasonCallbackId = 'jml_review_revoke_reason';
/** block_id of one review item's buttons: jml_review:<itemId> */
export const reviewItemBlockId = (itemId: string) => `jml_review:${itemId}`;
/** A review button's value: `<campaignId>|<itemId>[,<itemId>...]`. */
export const reviewButtonValue = (campaignId: string, itemIds: readonly string[]) => `${campaignId}|${itemIds.join(',')}`;
export function parseReviewButtonValue(value: string): { campaignId: string; itemIds: string[] } | undefined {
  const bar = value.indexOf('|');
  if (bar <= 0) return undefined;
  const itemIds = value.slice(bar + 1).split(',').filter((id) => /^[0-9a-f]{20}$/.test(id));
  return itemIds.length > 0 ? { campaignId: value.slice(0, bar), itemIds } : undefined;
}
