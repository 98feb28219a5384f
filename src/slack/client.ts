import { ErrorCode, WebClient, type WebAPICallError } from '@slack/web-api';
import type { ModalView } from '@slack/types';
import type { MessageContent } from './messages';

/** A Slack user as the engine needs it: the ID to address and the email to audit. */
export interface SlackUser {
  id: string;
  email?: string;
}

export interface PostedMessage {
  channel: string;
  ts: string;
}

/** Errors that another attempt may cure; Slack documents these as transient. */
const transient: ReadonlySet<string> = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/**
 * A Slack Web API failure with Slack's own error code (`users_not_found`, `invalid_auth`,
 * `ratelimited`, ...). `retryAfterMs` is Slack's Retry-After for a 429. Never carries the token.
 */
export class SlackApiError extends Error {
  override readonly name = 'SlackApiError';
  constructor(
    readonly method: string,
    readonly code: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(`Slack ${method}: ${code}${retryAfterMs !== undefined ? ` (retry after ${Math.round(retryAfterMs / 1000)} s)` : ''}`);
  }
}

function toSlackError(method: string, err: unknown): SlackApiError {
  const e = err as Partial<WebAPICallError> & { code?: string };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return new SlackApiError(method, 'ratelimited', true, ((e as { retryAfter?: number }).retryAfter ?? 1) * 1000);
    case ErrorCode.PlatformError: {
      const code = (e as { data?: { error?: string } }).data?.error ?? 'unknown_error';
      return new SlackApiError(method, code, transient.has(code));
    }
    case ErrorCode.HTTPError: {
      const status = (e as { statusCode?: number }).statusCode ?? 0;
      return new SlackApiError(method, `http_${status}`, status >= 500 || status === 408);
    }
    default:
      return new SlackApiError(method, 'request_failed', true);
  }
}

/**
 * The few Web API methods the engine uses. Retries are left to the caller (Temporal activity
 * retries honour Retry-After), so one call is one request: nothing blocks a worker for minutes.
 */
export class SlackApi {
  private readonly web: WebClient;

  constructor(options: { token: string; apiUrl?: string; timeoutMs?: number }) {
    this.web = new WebClient(options.token, {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/` } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 10_000,
      logLevel: undefined,
    });
  }

  private async call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw toSlackError(method, err);
    }
  }

  /** The active Slack user with this email, or undefined when Slack has none. */
  async userByEmail(email: string): Promise<SlackUser | undefined> {
    try {
      const res = await this.call('users.lookupByEmail', () => this.web.users.lookupByEmail({ email }));
      const user = res.user;
      if (!user?.id || user.deleted) return undefined;
      return { id: user.id, email: user.profile?.email ?? email };
    } catch (err) {
      if (err instanceof SlackApiError && err.code === 'users_not_found') return undefined;
      throw err;
    }
  }

  /** A user's ID and email (for evidence of who decided). */
  async user(id: string): Promise<SlackUser | undefined> {
    try {
      const res = await this.call('users.info', () => this.web.users.info({ user: id }));
      if (!res.user?.id) return undefined;
      return { id: res.user.id, ...(res.user.profile?.email ? { email: res.user.profile.email } : {}) };
    } catch (err) {
      if (err instanceof SlackApiError && err.code === 'user_not_found') return undefined;
      throw err;
    }
  }

  /** Posts to a channel, or to a user ID (a direct message from the app). */
  async post(channel: string, content: MessageContent): Promise<PostedMessage> {
    const res = await this.call('chat.postMessage', () => this.web.chat.postMessage({ channel, text: content.text, blocks: content.blocks, unfurl_links: false }));
    return { channel: res.channel ?? channel, ts: res.ts ?? '' };
  }

  async update(message: PostedMessage, content: MessageContent): Promise<void> {
    await this.call('chat.update', () => this.web.chat.update({ channel: message.channel, ts: message.ts, text: content.text, blocks: content.blocks }));
  }

  async ephemeral(channel: string, user: string, text: string): Promise<void> {
    await this.call('chat.postEphemeral', () => this.web.chat.postEphemeral({ channel, user, text }));
  }

  async openView(triggerId: string, view: ModalView): Promise<void> {
    await this.call('views.open', () => this.web.views.open({ trigger_id: triggerId, view }));
  }
}
