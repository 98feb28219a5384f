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
