/**
 * A local Slack Web API peer, written from Slack's documented wire format: POST (or GET)
 * /api/<method>, form-encoded or JSON bodies, a bot token as `Authorization: Bearer` (or a
 * `token` form field), `{ok:true,...}` answers, `{ok:false,error}` with HTTP 200 for API
 * errors, and HTTP 429 with Retry-After when rate limited. Point a WebClient's `slackApiUrl`
 * at `url`; tests drive it through the controls on the returned object.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackPeerUser {
  id: string;
  email?: string;
  name?: string;
  realName?: string;
  deleted?: boolean;
  isBot?: boolean;
}

export interface SlackPeerOptions {
  token: string;
  users?: SlackPeerUser[];
  latencyMs?: number;
}

export interface SlackPeerCall {
  /** The API method, e.g. `chat.postMessage`. */
  method: string;
  /** Query parameters merged with body parameters, as received (form fields stay strings). */
  args: Record<string, unknown>;
  /** `args` with JSON-text fields (blocks, attachments, view, metadata) parsed. */
  parsed: Record<string, unknown>;
  contentType: string;
  authorized: boolean;
  at: Date;
  /** HTTP status of the answer. */
  status: number;
  /** The `error` of an `ok:false` answer. */
  error?: string;
}

export interface SlackPeerMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[] | undefined;
  /** The user of the DM the message went to (posted to a user ID or a D-channel). */
  user?: string;
  updates: number;
  thread_ts?: string;
}

export interface SlackPeerEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[] | undefined;
}

export interface SlackPeerView {
  trigger_id: string;
  view: Record<string, unknown>;
}

export interface SlackPeer {
  /** The API base ending in `/api/`, as WebClient's `slackApiUrl` takes it. */
  url: string;
  addUser(user: SlackPeerUser): void;
  calls(method?: string): SlackPeerCall[];
  messages(): SlackPeerMessage[];
  ephemerals(): SlackPeerEphemeral[];
  views(): SlackPeerView[];
  /** The next `times` calls of `method` answer 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit(method: string, retryAfterSeconds: number, times?: number): void;
  /** The next `times` calls of `method` answer `{ok:false, error}`. */
  failNext(method: string, error: string, times?: number): void;
  close(): Promise<void>;
}

export const slackPeerTeamId = 'T0PEER';
export const slackPeerBotUserId = 'U0BOT';
export const slackPeerBotId = 'B0BOT';

const jsonFields = new Set(['blocks', 'attachments', 'view', 'metadata']);

class ApiError extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

type Args = Record<string, unknown>;
type Handler = (args: Args) => Record<string, unknown>;

export async function startSlackPeer(options: SlackPeerOptions): Promise<SlackPeer> {
  const users = new Map<string, SlackPeerUser>();
  for (const user of options.users ?? []) users.set(user.id, { ...user });
  const seen: SlackPeerCall[] = [];
  const posted: SlackPeerMessage[] = [];
  const ephemeral: SlackPeerEphemeral[] = [];
  const opened: SlackPeerView[] = [];
  const limits = new Map<string, { retryAfter: number; times: number }[]>();
  const failures = new Map<string, { error: string; times: number }[]>();
  let lastTsMicros = 0;

  const nextTs = (): string => {
    lastTsMicros = Math.max(lastTsMicros + 1, Date.now() * 1000);
    return `${Math.floor(lastTsMicros / 1e6)}.${String(lastTsMicros % 1e6).padStart(6, '0')}`;
  };

  const userJson = (u: SlackPeerUser) => ({
    id: u.id,
    team_id: slackPeerTeamId,
    name: u.name ?? u.email?.split('@')[0] ?? u.id.toLowerCase(),
    real_name: u.realName ?? u.name ?? '',
    deleted: u.deleted ?? false,
    is_bot: u.isBot ?? false,
    is_admin: false,
    profile: { email: u.email, real_name: u.realName ?? u.name ?? '', display_name: u.name ?? '' },
  });

  const str = (args: Args, key: string): string | undefined => {
    const value = args[key];
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return undefined;
  };

  const blocksOf = (args: Args): unknown[] | undefined => {
    const raw = args.blocks;
    if (raw === undefined || raw === '') return undefined;
    let blocks: unknown = raw;
    if (typeof raw === 'string') {
      try {
        blocks = JSON.parse(raw);
      } catch {
        throw new ApiError('invalid_blocks');
      }
    }
    if (!Array.isArray(blocks)) throw new ApiError('invalid_blocks');
    return blocks;
  };

  /** Resolves a chat.postMessage `channel` to where the message lands and the DM's user. */
  const resolveChannel = (channel: string | undefined): { channel: string; user?: string } => {
    if (!channel) throw new ApiError('channel_not_found');
    if (/^[UW][A-Z0-9]+$/.test(channel)) {
      if (!users.has(channel)) throw new ApiError('channel_not_found');
      return { channel: `D${channel}`, user: channel };
    }
    if (/^D[A-Z0-9]+$/.test(channel)) {
      const user = channel.slice(1);
      return users.has(user) ? { channel, user } : { channel };
    }
    if (/^[CG][A-Z0-9]+$/.test(channel) || /^#\S+$/.test(channel)) return { channel };
    throw new ApiError('channel_not_found');
  };

  const handlers: Record<string, Handler> = {
    'auth.test': () => ({
      url: 'https://jml-peer.slack.com/',
      team: 'JML Peer',
      user: 'jml',
      team_id: slackPeerTeamId,
      user_id: slackPeerBotUserId,
      bot_id: slackPeerBotId,
      is_enterprise_install: false,
    }),
    'users.lookupByEmail': (args) => {
      const email = str(args, 'email')?.toLowerCase();
      if (!email) throw new ApiError('invalid_arguments');
      const user = [...users.values()].find((u) => u.email?.toLowerCase() === email && !u.deleted);
      if (!user) throw new ApiError('users_not_found');
      return { user: userJson(user) };
    },
    'users.info': (args) => {
      const user = users.get(str(args, 'user') ?? '');
      if (!user) throw new ApiError('user_not_found');
      return { user: userJson(user) };
    },
    'conversations.open': (args) => {
      const ids = (str(args, 'users') ?? '').split(',').map((id) => id.trim()).filter(Boolean);
      if (ids.length === 0) throw new ApiError('users_list_not_supplied');
      if (ids.length > 1) throw new ApiError('not_supported');
      if (!users.has(ids[0]!)) throw new ApiError('user_not_found');
      return { no_op: true, already_open: true, channel: { id: `D${ids[0]}` } };
    },
    'chat.postMessage': (args) => {
      const target = resolveChannel(str(args, 'channel'));
      const text = str(args, 'text') ?? '';
      const blocks = blocksOf(args);
      if (!text && !blocks) throw new ApiError('no_text');
      const ts = nextTs();
      const threadTs = str(args, 'thread_ts');
      posted.push({
        channel: target.channel,
        ts,
        text,
        blocks,
        ...(target.user ? { user: target.user } : {}),
        updates: 0,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      const message = {
        type: 'message',
        user: slackPeerBotUserId,
        bot_id: slackPeerBotId,
        team: slackPeerTeamId,
        text,
        ts,
        ...(blocks ? { blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      };
      return { channel: target.channel, ts, message };
    },
    'chat.update': (args) => {
      const channel = str(args, 'channel');
      const ts = str(args, 'ts');
      if (!channel) throw new ApiError('channel_not_found');
      const message = posted.find((m) => m.channel === channel && m.ts === ts);
      if (!message) throw new ApiError('message_not_found');
      const text = str(args, 'text');
      const blocks = blocksOf(args);
      if (text === undefined && blocks === undefined) throw new ApiError('no_text');
      if (text !== undefined) message.text = text;
      if (blocks !== undefined) message.blocks = blocks;
      message.updates += 1;
      return { channel, ts: message.ts, text: message.text, message: { text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) } };
    },
    'chat.postEphemeral': (args) => {
      const channel = str(args, 'channel');
      if (!channel) throw new ApiError('channel_not_found');
      resolveChannel(channel);
      const user = str(args, 'user');
      if (!user || !users.has(user)) throw new ApiError('user_not_in_channel');
      const text = str(args, 'text') ?? '';
      const blocks = blocksOf(args);
      if (!text && !blocks) throw new ApiError('no_text');
      ephemeral.push({ channel, user, text, blocks });
      return { message_ts: nextTs() };
    },
    'views.open': (args) => {
      const triggerId = str(args, 'trigger_id');
      if (!triggerId) throw new ApiError('invalid_arguments');
      let view: unknown = args.view;
      if (typeof view === 'string') {
        try {
          view = JSON.parse(view);
        } catch {
          throw new ApiError('invalid_arguments');
        }
      }
      if (!view || typeof view !== 'object' || Array.isArray(view)) throw new ApiError('invalid_arguments');
      const given = view as Record<string, unknown>;
      opened.push({ trigger_id: triggerId, view: given });
      const id = `V${randomBytes(5).toString('hex').toUpperCase()}`;
      return {
        view: {
          id,
          team_id: slackPeerTeamId,
          private_metadata: '',
          callback_id: '',
          external_id: '',
          clear_on_close: false,
          notify_on_close: false,
          ...given,
          state: { values: {} },
          hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
          root_view_id: id,
          previous_view_id: null,
          app_id: 'A0PEER',
          bot_id: slackPeerBotId,
        },
      };
    },
  };

  const take = <T extends { times: number }>(queues: Map<string, T[]>, method: string): T | undefined => {
    const queue = queues.get(method);
    const head = queue?.[0];
    if (!head) return undefined;
    head.times -= 1;
    if (head.times <= 0) queue.shift();
    return head;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = new Date();
    const raw = await readBody(req);
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const url = new URL(req.url ?? '/', 'http://peer');
    const method = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname)?.[1] ?? url.pathname;
    const contentType = req.headers['content-type'] ?? '';
    const args: Args = Object.fromEntries(url.searchParams);
    const call: SlackPeerCall = { method, args, parsed: args, contentType, authorized: false, at, status: 200 };
    seen.push(call);

    const answer = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void => {
      call.status = status;
      if (body.ok === false && typeof body.error === 'string') call.error = body.error;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
    };

    if ((req.method !== 'POST' && req.method !== 'GET') || !Object.hasOwn(handlers, method)) {
      answer(404, { ok: false, error: 'unknown_method' });
      return;
    }

    let bodyToken: string | undefined;
    if (raw.length > 0) {
      const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
      if (mediaType === 'application/x-www-form-urlencoded') {
        const form = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
        bodyToken = form.token;
        Object.assign(args, form);
      } else if (mediaType === 'application/json') {
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          answer(200, { ok: false, error: 'invalid_json' });
          return;
        }
        if (!body || typeof body !== 'object' || Array.isArray(body)) {
          answer(200, { ok: false, error: 'invalid_json' });
          return;
        }
        Object.assign(args, body);
      } else if (mediaType === 'multipart/form-data') {
        const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
        form.forEach((value, key) => {
          args[key] = typeof value === 'string' ? value : '[file]';
        });
        bodyToken = typeof args.token === 'string' ? args.token : undefined;
      } else {
        answer(200, { ok: false, error: 'invalid_form_data' });
        return;
      }
    }
    call.parsed = parseJsonFields(args);

    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? bodyToken;
    if (!token) {
      answer(200, { ok: false, error: 'not_authed' });
      return;
    }
    if (token !== options.token) {
      answer(200, { ok: false, error: 'invalid_auth' });
      return;
    }
    call.authorized = true;

    const limit = take(limits, method);
    if (limit) {
      answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfter) });
      return;
    }
    const failure = take(failures, method);
    if (failure) {
      answer(200, { ok: false, error: failure.error });
      return;
    }
    try {
      answer(200, { ok: true, ...handlers[method]!(call.parsed) });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      answer(200, { ok: false, error: err.error });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ ok: false, error: 'internal_error' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    addUser: (user) => void users.set(user.id, { ...user }),
    calls: (method) => seen.filter((c) => method === undefined || c.method === method).map((c) => ({ ...c })),
    messages: () => posted.map((m) => ({ ...m })),
    ephemerals: () => ephemeral.map((e) => ({ ...e })),
    views: () => opened.map((v) => ({ ...v })),
    rateLimit: (method, retryAfterSeconds, times = 1) => {
      limits.set(method, [...(limits.get(method) ?? []), { retryAfter: retryAfterSeconds, times }]);
    },
    failNext: (method, error, times = 1) => {
      failures.set(method, [...(failures.get(method) ?? []), { error, times }]);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function parseJsonFields(args: Args): Args {
  const parsed: Args = { ...args };
  for (const [key, value] of Object.entries(args)) {
    if (!jsonFields.has(key) || typeof value !== 'string') continue;
    try {
      parsed[key] = JSON.parse(value);
    } catch {
      // Left as text; the method answers with its own error for malformed JSON.
    }
  }
  return parsed;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
