/**
 * The Web API methods the Slack admin peer serves, over its org, as Slack documents them: the
 * scope each needs, `{ok:false, error}` for what Slack refuses, org-level tokens naming a
 * workspace with team_id, cursor paging, and admin.users.session.resetBulk as a job that
 * finishes after a delay (or never, when stalled).
 */
import { peerAdminId, peerEnterpriseId, peerTeamId, type GridOrg, type OrgGroup } from './slack-admin-org';

export class ApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(error);
  }
}

export type Args = Record<string, unknown>;
export interface Method {
  scope?: string;
  write?: boolean;
  run(args: Args): Record<string, unknown>;
}

export interface BulkJobs {
  delayMs: number;
  stalled: boolean;
  /** Jobs enqueued while stalled; they run once released. */
  parked: (() => void)[];
}

const str = (args: Args, key: string): string | undefined => {
  const v = args[key];
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
};

/** A list argument: a JSON array, or a comma-separated (or JSON-array) string as form fields carry it. */
const listOf = (args: Args, key: string): string[] | undefined => {
  const v = args[key];
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string') return undefined;
  if (v.trim().startsWith('[')) {
    try {
      return (JSON.parse(v) as unknown[]).map(String);
    } catch {
      throw new ApiError('invalid_arguments');
    }
  }
  return v.split(',').map((s) => s.trim()).filter(Boolean);
};

/** A user group as Slack's usergroup object (objs_subteam) has it. */
function groupOut(g: OrgGroup, withUsers: boolean): Record<string, unknown> {
  return {
    id: g.id,
    team_id: peerTeamId,
    is_usergroup: true,
    is_subteam: true,
    name: g.name,
    description: '',
    handle: g.handle,
    is_external: false,
    date_create: 1_700_000_000,
    date_update: 1_700_000_000,
    date_delete: g.disabled ? 1_700_000_100 : 0,
    auto_type: null,
    auto_provision: false,
    enterprise_subteam_id: '',
    created_by: peerAdminId,
    updated_by: peerAdminId,
    deleted_by: null,
    prefs: { channels: [], groups: [] },
    user_count: g.users.length,
    ...(withUsers ? { users: [...g.users] } : {}),
  };
}

const flag = (args: Args, key: string): boolean => str(args, key) === 'true' || str(args, key) === '1';

export function webMethods(org: GridOrg, jobs: BulkJobs): Record<string, Method> {
  const needTeam = (args: Args): string => {
    const team = str(args, 'team_id');
    if (!team) throw new ApiError('missing_argument');
    if (team !== peerTeamId) throw new ApiError('invalid_team');
    return team;
  };
  const group = (args: Args) => {
    needTeam(args);
    const id = str(args, 'usergroup');
    if (!id) throw new ApiError('missing_argument');
    const g = org.groups.get(id);
    if (!g) throw new ApiError('no_such_subteam');
    return g;
  };
  const resettable = (id: string) => {
    const user = org.users.get(id);
    if (!user) throw new ApiError('user_not_found');
    if (user.isBot) throw new ApiError('cannot_reset_bot');
    return user;
  };

  return {
    'auth.test': {
      run: () => ({ url: 'https://acme-grid.enterprise.slack.com/', team: 'Acme Grid', user: 'it-admin', team_id: peerEnterpriseId, user_id: peerAdminId, enterprise_id: peerEnterpriseId, is_enterprise_install: true }),
    },
    'admin.users.session.reset': {
      scope: 'admin.users:write',
      write: true,
      run: (args) => {
        const id = str(args, 'user_id');
        if (!id) throw new ApiError('invalid_arguments');
        resettable(id).sessions = [];
        return {};
      },
    },
    'admin.users.session.resetBulk': {
      scope: 'admin.users:write',
      write: true,
      run: (args) => {
        const ids = listOf(args, 'user_ids');
        if (!ids || ids.length === 0 || ids.length > 1000) throw new ApiError('invalid_arguments');
        const known = ids.filter((id) => org.users.has(id) && !org.users.get(id)!.isBot);
        // The job runs later: "an ok response does not mean all sessions have been reset".
        const job = () => {
          for (const id of known) {
            const user = org.users.get(id);
            if (user) user.sessions = [];
          }
        };
        if (jobs.stalled) jobs.parked.push(job);
        else setTimeout(job, jobs.delayMs).unref();
        if (known.length < ids.length) throw new ApiError('failed_for_some_users');
        return {};
      },
    },
    'admin.users.session.list': {
      scope: 'admin.users:read',
      run: (args) => {
        const userId = str(args, 'user_id');
        const teamId = str(args, 'team_id');
        // user_id and team_id go together.
        if ((userId === undefined) !== (teamId === undefined)) throw new ApiError('invalid_arguments');
        if (teamId !== undefined && teamId !== peerTeamId && teamId !== peerEnterpriseId) throw new ApiError('invalid_team');
        if (userId !== undefined && !org.users.has(userId)) throw new ApiError('user_not_found');
        const limit = Number(str(args, 'limit') ?? 1000);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ApiError('invalid_limit');
        const cursor = str(args, 'cursor');
        const offset = cursor ? Number(Buffer.from(cursor, 'base64').toString().replace(/^offset:/, '')) : 0;
        if (!Number.isInteger(offset) || offset < 0) throw new ApiError('invalid_cursor');
        const users = userId ? [org.users.get(userId)!] : [...org.users.values()];
        const all = users.flatMap((u) => u.sessions.map((s) => ({ user_id: u.id, team_id: peerEnterpriseId, session_id: s, created: { device_hardware: 'Intel', os: 'OS X', os_version: '14.4', slack_client_version: '4.38.0', ip: '192.0.2.10' } })));
        const page = all.slice(offset, offset + limit);
        const next = offset + limit < all.length ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
        return { active_sessions: page, response_metadata: { next_cursor: next } };
      },
    },
    'usergroups.list': {
      scope: 'usergroups:read',
      run: (args) => {
        needTeam(args);
        const withUsers = flag(args, 'include_users');
        const groups = [...org.groups.values()].filter((g) => flag(args, 'include_disabled') || !g.disabled);
        return { usergroups: groups.map((g) => groupOut(g, withUsers)) };
      },
    },
    'usergroups.users.list': {
      scope: 'usergroups:read',
      run: (args) => {
        const g = group(args);
        if (g.disabled && !flag(args, 'include_disabled')) throw new ApiError('no_such_subteam');
        return { users: [...g.users] };
      },
    },
    'usergroups.users.update': {
      scope: 'usergroups:write',
      write: true,
      run: (args) => {
        const g = group(args);
        const users = listOf(args, 'users');
        // Slack will not empty a user group this way; usergroups.disable is its way to do that.
        if (!users || users.length === 0) throw new ApiError('no_users_provided');
        if (users.some((id) => !org.users.has(id))) throw new ApiError('invalid_users');
        g.users = [...new Set(users)];
        return { usergroup: groupOut(g, true) };
      },
    },
  };
}
