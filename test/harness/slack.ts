import { createHmac, randomBytes } from 'node:crypto';
import { slackPeerBotId, slackPeerBotUserId, slackPeerTeamId } from '../peers/slack-peer';

export const slackSigningSecret = 'slack-signing-secret-for-tests-0123';
export const slackBotToken = 'xoxb-0000000000-0000000000000-peertokenfortests';

const apiAppId = 'A0PEER';
const verificationToken = 'peer-verification-token';

/** Slack's request signature: `v0=` + hex HMAC-SHA256(secret, `v0:<timestamp>:<raw body>`). */
export function slackSignature(signingSecret: string, timestampSeconds: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex')}`;
}

/**
 * POSTs an interaction payload to `${baseUrl}/slack/events` as Slack delivers it: form-encoded
 * `payload=<JSON>`, signed with the signing secret (or with a given signature / timestamp).
 */
export async function postSlackInteraction(
  baseUrl: string,
  signingSecret: string,
  payload: object,
  opts: { timestamp?: number; signature?: string } = {},
): Promise<{ status: number; body: string }> {
  const raw = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = opts.signature ?? slackSignature(signingSecret, timestamp, raw);
  const res = await fetch(`${baseUrl.replace(/\/$/, '')}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    },
    body: raw,
  });
  return { status: res.status, body: await res.text() };
}

export interface BlockActionsOptions {
  userId: string;
  userName?: string;
  actionId: string;
  value: string;
  channelId: string;
  messageTs: string;
  blockId?: string;
  triggerId?: string;
  teamId?: string;
  messageText?: string;
  messageBlocks?: unknown[];
}

/** A `block_actions` payload for a button clicked in a message, shaped as Slack documents it. */
export function blockActionsPayload(o: BlockActionsOptions) {
  const teamId = o.teamId ?? slackPeerTeamId;
  const userName = o.userName ?? o.userId.toLowerCase();
  return {
    type: 'block_actions' as const,
    user: { id: o.userId, username: userName, name: userName, team_id: teamId },
    api_app_id: apiAppId,
    token: verificationToken,
    container: { type: 'message', message_ts: o.messageTs, channel_id: o.channelId, is_ephemeral: false },
    trigger_id: o.triggerId ?? triggerId(),
    team: { id: teamId, domain: 'jml-peer' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: o.channelId, name: o.channelId.startsWith('D') ? 'directmessage' : o.channelId.toLowerCase() },
    message: {
      type: 'message',
      user: slackPeerBotUserId,
      bot_id: slackPeerBotId,
      team: teamId,
      ts: o.messageTs,
      text: o.messageText ?? '',
      ...(o.messageBlocks ? { blocks: o.messageBlocks } : {}),
    },
    state: { values: {} },
    response_url: 'http://127.0.0.1:1/response',
    actions: [
      {
        action_id: o.actionId,
        block_id: o.blockId ?? randomId(5),
        text: { type: 'plain_text', text: o.value, emoji: true },
        value: o.value,
        type: 'button',
        action_ts: slackTsNow(),
      },
    ],
  };
}

export interface ViewSubmissionOptions {
  userId: string;
  userName?: string;
  callbackId: string;
  privateMetadata: string;
  values: Record<string, Record<string, { type: 'plain_text_input'; value: string | null }>>;
  triggerId?: string;
  teamId?: string;
  viewId?: string;
}

/** A `view_submission` payload for a modal submitted with the given input values. */
export function viewSubmissionPayload(o: ViewSubmissionOptions) {
  const teamId = o.teamId ?? slackPeerTeamId;
  const userName = o.userName ?? o.userId.toLowerCase();
  const viewId = o.viewId ?? `V${randomId(5)}`;
  return {
    type: 'view_submission' as const,
    team: { id: teamId, domain: 'jml-peer' },
    user: { id: o.userId, username: userName, name: userName, team_id: teamId },
    api_app_id: apiAppId,
    token: verificationToken,
    trigger_id: o.triggerId ?? triggerId(),
    enterprise: null,
    is_enterprise_install: false,
    response_urls: [],
    view: {
      id: viewId,
      team_id: teamId,
      type: 'modal' as const,
      blocks: [],
      private_metadata: o.privateMetadata,
      callback_id: o.callbackId,
      state: { values: o.values },
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      title: { type: 'plain_text', text: 'JML', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: apiAppId,
      external_id: '',
      app_installed_team_id: teamId,
      bot_id: slackPeerBotId,
    },
  };
}

function randomId(bytes: number): string {
  return randomBytes(bytes).toString('hex').toUpperCase();
}

function slackTsNow(): string {
  return (Date.now() / 1000).toFixed(6);
}

function triggerId(): string {
  return `${Math.floor(Date.now() / 1000)}.${1000 + Math.floor(Math.random() * 9000)}.${randomBytes(16).toString('hex')}`;
}
