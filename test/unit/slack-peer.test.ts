import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isValidSlackRequest } from '@slack/bolt';
import { LogLevel, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackPeer, type SlackPeer } from '../peers/slack-peer';
import {
  blockActionsPayload,
  postSlackInteraction,
  slackSignature,
  viewSubmissionPayload,
} from '../harness/slack';

const token = 'xoxb-test-token-1';
let peer: SlackPeer;
let slack: WebClient;

beforeAll(async () => {
  peer = await startSlackPeer({
    token,
    users: [
      { id: 'U100', email: 'Ada.Manager@example.com', name: 'ada', realName: 'Ada Manager' },
      { id: 'U200', email: 'gone@example.com', name: 'gone', deleted: true },
    ],
  });
  slack = new WebClient(token, { slackApiUrl: peer.url, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 } });
});

afterAll(() => peer.close());

async function platformError(call: Promise<unknown>): Promise<{ code?: string; data?: { error?: string } }> {
  try {
    await call;
  } catch (err) {
    return err as { code?: string; data?: { error?: string } };
  }
  throw new Error('expected the call to fail');
}

describe('Slack peer, driven by @slack/web-api WebClient', () => {
  it('answers auth.test and finds users by email case-insensitively', async () => {
    const auth = await slack.auth.test();
    expect(auth).toMatchObject({ ok: true, user_id: 'U0BOT', team_id: 'T0PEER', bot_id: 'B0BOT' });

    const found = await slack.users.lookupByEmail({ email: 'ada.manager@EXAMPLE.com' });
    expect(found.user).toMatchObject({ id: 'U100', name: 'ada', real_name: 'Ada Manager', deleted: false, profile: { email: 'Ada.Manager@example.com' } });

    for (const email of ['nobody@example.com', 'gone@example.com']) {
      const err = await platformError(slack.users.lookupByEmail({ email }));
      expect(err.code).toBe('slack_webapi_platform_error');
      expect(err.data?.error).toBe('users_not_found');
    }
    expect((await slack.users.info({ user: 'U200' })).user?.deleted).toBe(true);
    expect((await platformError(slack.users.info({ user: 'U999' }))).data?.error).toBe('user_not_found');
  });

  it('posts a DM to a user ID, then updates it through the DM channel', async () => {
    const opened = await slack.conversations.open({ users: 'U100' });
    expect(opened.channel?.id).toBe('DU100');

    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Approve *okta:admins* for Bo?' } }];
    const posted = await slack.chat.postMessage({ channel: 'U100', text: 'Approval needed', blocks });
    expect(posted.channel).toBe('DU100');
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(posted.message).toMatchObject({ text: 'Approval needed', blocks, ts: posted.ts });

    const second = await slack.chat.postMessage({ channel: 'C0APPROVALS', text: 'second' });
    expect(Number(second.ts)).toBeGreaterThan(Number(posted.ts));

    const call = peer.calls('chat.postMessage')[0]!;
    expect(call.contentType).toBe('application/x-www-form-urlencoded');
    expect(call.authorized).toBe(true);
    expect(typeof call.args.blocks).toBe('string');
    expect(call.parsed.blocks).toEqual(blocks);

    const wrongChannel = await platformError(slack.chat.update({ channel: 'U100', ts: posted.ts!, text: 'x' }));
    expect(wrongChannel.data?.error).toBe('message_not_found');

    const updated = await slack.chat.update({ channel: posted.channel!, ts: posted.ts!, text: 'Approved by Ada', blocks: [] });
    expect(updated).toMatchObject({ ok: true, channel: 'DU100', ts: posted.ts, text: 'Approved by Ada' });
    expect(peer.messages().find((m) => m.ts === posted.ts)).toMatchObject({
      channel: 'DU100',
      user: 'U100',
      text: 'Approved by Ada',
      blocks: [],
      updates: 1,
    });

    expect((await platformError(slack.chat.postMessage({ channel: 'U100', text: '' }))).data?.error).toBe('no_text');
    expect((await platformError(slack.chat.postMessage({ channel: 'U404', text: 'hi' }))).data?.error).toBe('channel_not_found');
  });

  it('records ephemeral messages and opened views', async () => {
    const eph = await slack.chat.postEphemeral({ channel: 'DU100', user: 'U100', text: 'Only you can see this' });
    expect(eph.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(peer.ephemerals()).toContainEqual({ channel: 'DU100', user: 'U100', text: 'Only you can see this', blocks: undefined });

    const view = {
      type: 'modal' as const,
      callback_id: 'reject_reason',
      private_metadata: '{"approvalId":"a1"}',
      title: { type: 'plain_text' as const, text: 'Reject' },
      blocks: [{ type: 'input', block_id: 'reason', element: { type: 'plain_text_input', action_id: 'text' }, label: { type: 'plain_text', text: 'Why?' } }],
    };
    const res = await slack.views.open({ trigger_id: '123.456.abc', view: view as never });
    expect(res.view?.id).toMatch(/^V/);
    expect(res.view).toMatchObject({ callback_id: 'reject_reason', private_metadata: '{"approvalId":"a1"}' });
    expect(peer.views()).toContainEqual({ trigger_id: '123.456.abc', view });

    const noTrigger = await platformError(slack.views.open({ trigger_id: '', view: view as never }));
    expect(noTrigger.data?.error).toBe('invalid_arguments');
  });

  it('rejects a wrong token with invalid_auth', async () => {
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: peer.url, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 } });
    const err = await platformError(wrong.auth.test());
    expect(err.code).toBe('slack_webapi_platform_error');
    expect(err.data?.error).toBe('invalid_auth');
    expect(peer.calls('auth.test').at(-1)?.authorized).toBe(false);
  });

  it('speaks the raw wire format: JSON needs the header, form takes a token field', async () => {
    const post = async (method: string, headers: Record<string, string>, body?: string) => {
      const res = await fetch(`${peer.url}${method}`, { method: 'POST', headers, body });
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const json = { 'content-type': 'application/json; charset=utf-8' };

    const noHeader = await post('chat.postMessage', json, JSON.stringify({ token, channel: 'U100', text: 'hi' }));
    expect(noHeader).toEqual({ status: 200, body: { ok: false, error: 'not_authed' } });

    const withHeader = await post(
      'chat.postMessage',
      { ...json, authorization: `Bearer ${token}` },
      JSON.stringify({ channel: 'C0OPS', text: 'hi', blocks: [{ type: 'divider' }] }),
    );
    expect(withHeader.body).toMatchObject({ ok: true, channel: 'C0OPS' });
    expect(peer.calls('chat.postMessage').at(-1)?.args.blocks).toEqual([{ type: 'divider' }]);

    const formToken = await post('auth.test', { 'content-type': 'application/x-www-form-urlencoded' }, `token=${token}`);
    expect(formToken.body).toMatchObject({ ok: true, user_id: 'U0BOT' });

    const plain = await post('auth.test', { 'content-type': 'text/plain', authorization: `Bearer ${token}` }, 'hello');
    expect(plain.body).toEqual({ ok: false, error: 'invalid_form_data' });

    const unknown = await post('chat.teleport', { authorization: `Bearer ${token}` });
    expect(unknown).toEqual({ status: 404, body: { ok: false, error: 'unknown_method' } });

    const get = await fetch(`${peer.url}users.info?user=U100`, { headers: { authorization: `Bearer ${token}` } });
    expect(await get.json()).toMatchObject({ ok: true, user: { id: 'U100' } });
  });

  it('answers 429 with Retry-After, which WebClient reports or waits out', async () => {
    peer.rateLimit('chat.postMessage', 7);
    const rejecting = new WebClient(token, { slackApiUrl: peer.url, logLevel: LogLevel.ERROR, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const err = (await platformError(rejecting.chat.postMessage({ channel: 'U100', text: 'hi' }))) as { code?: string; retryAfter?: number };
    expect(err.code).toBe('slack_webapi_rate_limited_error');
    expect(err.retryAfter).toBe(7);
    expect(peer.calls('chat.postMessage').at(-1)).toMatchObject({ status: 429, error: 'ratelimited' });

    peer.rateLimit('users.info', 1);
    const waiting = new WebClient(token, { slackApiUrl: peer.url, logLevel: LogLevel.ERROR, retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    const started = Date.now();
    const info = await waiting.users.info({ user: 'U100' });
    expect(info.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(peer.calls('users.info').slice(-2).map((c) => c.status)).toEqual([429, 200]);
  });

  it('fails the next calls of a method with a Slack API error', async () => {
    peer.failNext('chat.postMessage', 'channel_is_archived', 2);
    for (let i = 0; i < 2; i++) {
      expect((await platformError(slack.chat.postMessage({ channel: 'U100', text: 'x' }))).data?.error).toBe('channel_is_archived');
    }
    expect((await slack.chat.postMessage({ channel: 'U100', text: 'x' })).ok).toBe(true);
  });
});

describe('Slack request signing helpers', () => {
  it('signs as Slack documents: v0= hex HMAC-SHA256 of "v0:<ts>:<body>"', () => {
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
    const expected = `v0=${createHmac('sha256', secret).update(`v0:1531420618:${body}`).digest('hex')}`;
    expect(slackSignature(secret, 1531420618, body)).toBe(expected);
    expect(slackSignature(secret, 1531420619, body)).not.toBe(expected);
  });

  it('posts a signed form-encoded interaction that Bolt accepts', async () => {
    const seen: { headers: IncomingHttpHeaders; body: string; path?: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        seen.push({ headers: req.headers, body, path: req.url });
        res.writeHead(200).end('ack');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const payload = blockActionsPayload({ userId: 'U100', actionId: 'approve', value: 'a1', channelId: 'DU100', messageTs: '1700000000.000100' });
      expect(await postSlackInteraction(base, 'sekrit', payload)).toEqual({ status: 200, body: 'ack' });
      const req = seen[0]!;
      expect(req.path).toBe('/slack/events');
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const headers = {
        'x-slack-signature': String(req.headers['x-slack-signature']),
        'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
      };
      expect(isValidSlackRequest({ signingSecret: 'sekrit', body: req.body, headers })).toBe(true);
      expect(isValidSlackRequest({ signingSecret: 'other', body: req.body, headers })).toBe(false);
      expect(JSON.parse(new URLSearchParams(req.body).get('payload')!)).toEqual(payload);

      await postSlackInteraction(base, 'sekrit', payload, { timestamp: 1_000_000_000 });
      const stale = seen[1]!;
      expect(stale.headers['x-slack-request-timestamp']).toBe('1000000000');
      expect(stale.headers['x-slack-signature']).toBe(slackSignature('sekrit', 1_000_000_000, stale.body));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('builds block_actions and view_submission payloads with Slack field names', () => {
    const action = blockActionsPayload({ userId: 'U100', userName: 'ada', actionId: 'approve', value: 'a1', channelId: 'DU100', messageTs: '1700000000.000100', blockId: 'b1' });
    expect(action).toMatchObject({
      type: 'block_actions',
      user: { id: 'U100', username: 'ada', team_id: 'T0PEER' },
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'DU100', is_ephemeral: false },
      channel: { id: 'DU100' },
      message: { ts: '1700000000.000100', type: 'message' },
      actions: [{ action_id: 'approve', block_id: 'b1', value: 'a1', type: 'button' }],
    });
    expect(action.trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);

    const values = { reason: { text: { type: 'plain_text_input' as const, value: 'not needed' } } };
    const submission = viewSubmissionPayload({ userId: 'U100', callbackId: 'reject_reason', privateMetadata: '{"approvalId":"a1"}', values });
    expect(submission).toMatchObject({
      type: 'view_submission',
      user: { id: 'U100' },
      view: { type: 'modal', callback_id: 'reject_reason', private_metadata: '{"approvalId":"a1"}', state: { values } },
    });
    expect(submission.view.id).toMatch(/^V/);
  });
});
