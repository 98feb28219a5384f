/**
 * The Entra tenant behind the Graph peer: users, groups (assigned and dynamic), directory roles and
 * memberships, with Graph v1.0's handlers for the calls a JML engine makes. Requests come in as
 * plain values (from HTTP or from inside a $batch) and answers go out the same way, so a batch's
 * inner requests are served exactly as single ones. What Graph refuses is refused here: unknown or
 * read-only properties, missing required ones, a duplicate userPrincipalName, adding a member twice,
 * changing a dynamic group's members, and anything the token's application permissions do not cover.
 */
import { randomUUID } from 'node:crypto';
import { graphError, notFound, page, parseFilter, parseSelect, pick, type GraphAnswer } from './graph-odata';

export interface GraphRequest {
  method: string;
  /** Below /v1.0, e.g. /users/{id}/memberOf */
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** The access token's roles claim. */
  roles: readonly string[];
}

export interface StoredUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mailNickname: string;
  accountEnabled: boolean;
  signInSessionsValidFromDateTime: string;
  createdDateTime: string;
  /** Refresh tokens and browser sessions the user holds. */
  sessions: number;
  /** Directory role names the user holds (memberOf lists them beside groups). */
  roles: string[];
}

export interface StoredGroup {
  id: string;
  displayName: string;
  mailNickname: string;
  groupTypes: string[];
  membershipRule: string | null;
  members: Set<string>;
}

const USER_PROPS = ['id', 'userPrincipalName', 'mail', 'displayName', 'givenName', 'surname', 'mailNickname', 'accountEnabled', 'signInSessionsValidFromDateTime', 'createdDateTime'];
const USER_DEFAULTS = ['id', 'displayName', 'givenName', 'surname', 'mail', 'userPrincipalName', 'businessPhones', 'jobTitle', 'mobilePhone', 'officeLocation', 'preferredLanguage'];
const USER_WRITABLE = ['accountEnabled', 'displayName', 'givenName', 'surname', 'mail', 'mailNickname', 'userPrincipalName', 'passwordProfile', 'jobTitle', 'department'];
const USER_REQUIRED = ['accountEnabled', 'displayName', 'mailNickname', 'passwordProfile', 'userPrincipalName'];
const GROUP_PROPS = ['id', 'displayName', 'mailNickname', 'groupTypes', 'membershipRule', 'securityEnabled', 'mailEnabled', 'description'];
const GROUP_DEFAULTS = GROUP_PROPS;

const READ_USERS = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const WRITE_USERS = ['User.ReadWrite.All', 'Directory.ReadWrite.All'];
const REVOKE_SESSIONS = ['User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'];
const READ_GROUPS = ['GroupMember.Read.All', 'GroupMember.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const WRITE_MEMBERS = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'];

export class GraphTenant {
  readonly users = new Map<string, StoredUser>();
  readonly groups = new Map<string, StoredGroup>();
  /** The next PATCHes are answered 204 but not applied (a replica that has not caught up). */
  lostWrites = 0;

  constructor(private readonly options: { baseUrl: () => string; pageLimit: number }) {}

  userByUpn(upn: string): StoredUser | undefined {
    return [...this.users.values()].find((u) => u.userPrincipalName.toLowerCase() === upn.toLowerCase());
  }

  groupByName(name: string): StoredGroup | undefined {
    return [...this.groups.values()].find((g) => g.displayName === name);
  }

  addUser(seed: Partial<StoredUser> & { userPrincipalName: string }): StoredUser {
    const now = new Date().toISOString();
    const local = seed.userPrincipalName.split('@')[0] ?? 'user';
    const user: StoredUser = {
      id: randomUUID(),
      mail: seed.userPrincipalName,
      displayName: local,
      givenName: null,
      surname: null,
      mailNickname: local.replace(/[^A-Za-z0-9._-]/g, ''),
      accountEnabled: true,
      signInSessionsValidFromDateTime: now,
      createdDateTime: now,
      sessions: 0,
      roles: [],
      ...seed,
    };
    this.users.set(user.id, user);
    return user;
  }

  addGroup(seed: { displayName: string; dynamic?: boolean; mailNickname?: string }): StoredGroup {
    const group: StoredGroup = {
      id: randomUUID(),
      displayName: seed.displayName,
      mailNickname: seed.mailNickname ?? seed.displayName.replace(/[^A-Za-z0-9]/g, '').slice(0, 64),
      groupTypes: seed.dynamic ? ['DynamicMembership'] : [],
      membershipRule: seed.dynamic ? '(user.department -eq "Sales")' : null,
      members: new Set(),
    };
    this.groups.set(group.id, group);
    return group;
  }

  handle(req: GraphRequest): GraphAnswer {
    const parts = req.path.split('/').filter(Boolean).map(decodeURIComponent);
    const [collection, id, nav, ref, extra] = parts;
    const route = `${req.method} ${[collection, id && '{id}', nav, ref && (ref === '$ref' ? '$ref' : '{id}'), extra].filter(Boolean).join('/')}`;
    switch (route) {
      case 'GET users':
        return this.allowed(req, READ_USERS) ?? this.listUsers(req);
      case 'POST users':
        return this.allowed(req, WRITE_USERS) ?? this.createUser(req.body);
      case 'GET users/{id}':
        return this.allowed(req, READ_USERS) ?? this.getUser(id!, req);
      case 'PATCH users/{id}':
        return this.allowed(req, WRITE_USERS) ?? this.updateUser(id!, req.body);
      case 'GET users/{id}/memberOf':
        return this.allowed(req, READ_GROUPS) ?? this.memberOf(id!, req);
      case 'POST users/{id}/revokeSignInSessions':
      case 'POST users/{id}/microsoft.graph.revokeSignInSessions':
        return this.allowed(req, REVOKE_SESSIONS) ?? this.revokeSessions(id!);
      case 'GET groups':
        return this.allowed(req, READ_GROUPS) ?? this.listGroups(req);
      case 'POST groups/{id}/members/$ref':
        return this.allowed(req, WRITE_MEMBERS) ?? this.addMember(id!, req.body);
      case 'DELETE groups/{id}/members/{id}/$ref':
        return this.allowed(req, WRITE_MEMBERS) ?? this.removeMember(id!, ref!);
      default:
        return graphError(400, 'BadRequest', `Resource not found for the segment '${parts.at(-1) ?? ''}'.`);
    }
  }

  private allowed(req: GraphRequest, any: readonly string[]): GraphAnswer | undefined {
    if (req.roles.some((r) => any.includes(r))) return undefined;
    return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }

  private userJson(user: StoredUser, props: readonly string[]): Record<string, unknown> {
    return pick({ ...user, businessPhones: [] } as unknown as Record<string, unknown>, props);
  }

  private collectionUrl(path: string): string {
    return `${this.options.baseUrl()}/v1.0${path}`;
  }

  private listUsers(req: GraphRequest): GraphAnswer {
    const filter = parseFilter(req.query.get('$filter'), ['userPrincipalName', 'mail', 'id', 'accountEnabled']);
    if (typeof filter !== 'function') return filter;
    const select = parseSelect(req.query.get('$select'), USER_PROPS, USER_DEFAULTS, 'microsoft.graph.user');
    if (!Array.isArray(select)) return select;
    const items = [...this.users.values()].map((u) => ({ ...u }) as unknown as Record<string, unknown>).filter(filter);
    const users = items.map((u) => this.userJson(u as unknown as StoredUser, select));
    return page(users, { url: this.collectionUrl('/users'), query: req.query, pageLimit: this.options.pageLimit, maxTop: 999 }, `${this.collectionUrl('/$metadata#users')}`);
  }

  private getUser(id: string, req: GraphRequest): GraphAnswer {
    const user = this.users.get(id) ?? this.userByUpn(id);
    if (!user) return notFound(id);
    const select = parseSelect(req.query.get('$select'), USER_PROPS, USER_DEFAULTS, 'microsoft.graph.user');
    if (!Array.isArray(select)) return select;
    return { status: 200, body: { '@odata.context': this.collectionUrl('/$metadata#users/$entity'), ...this.userJson(user, select) } };
  }

  private createUser(body: unknown): GraphAnswer {
    if (!isObject(body)) return graphError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
    const unknown = Object.keys(body).find((k) => !USER_WRITABLE.includes(k));
    if (unknown) return graphError(400, 'Request_BadRequest', `Property '${unknown}' does not exist as a declared property or extension property.`);
    const missing = USER_REQUIRED.find((k) => body[k] === undefined || body[k] === null || body[k] === '');
    if (missing) return graphError(400, 'Request_BadRequest', `Invalid value specified for property '${missing}' of resource 'User'.`);
    const profile = body.passwordProfile;
    if (!isObject(profile) || typeof profile.password !== 'string' || !complexEnough(profile.password)) {
      return graphError(400, 'Request_BadRequest', 'The specified password does not comply with password complexity requirements. Please provide a different password.');
    }
    if (typeof body.accountEnabled !== 'boolean') return graphError(400, 'Request_BadRequest', "Invalid value specified for property 'accountEnabled' of resource 'User'.");
    const upn = String(body.userPrincipalName);
    if (!/^[^@\s]+@[^@\s]+$/.test(upn)) return graphError(400, 'Request_BadRequest', "Invalid value specified for property 'userPrincipalName' of resource 'User'.");
    if (/[@()\\[\]";:<>,\s]/.test(String(body.mailNickname))) return graphError(400, 'Request_BadRequest', "Invalid value specified for property 'mailNickname' of resource 'User'.");
    if (this.userByUpn(upn)) {
      const message = 'Another object with the same value for property userPrincipalName already exists.';
      return graphError(400, 'Request_BadRequest', message, { details: [{ code: 'ObjectConflict', message, target: 'userPrincipalName' }] });
    }
    const user = this.addUser({
      userPrincipalName: upn,
      mail: typeof body.mail === 'string' ? body.mail : null,
      displayName: String(body.displayName),
      givenName: typeof body.givenName === 'string' ? body.givenName : null,
      surname: typeof body.surname === 'string' ? body.surname : null,
      mailNickname: String(body.mailNickname),
      accountEnabled: body.accountEnabled,
    });
    // Graph's create answers with the default properties; accountEnabled is not among them.
    return { status: 201, body: { '@odata.context': this.collectionUrl('/$metadata#users/$entity'), ...this.userJson(user, USER_DEFAULTS) } };
  }

  private updateUser(id: string, body: unknown): GraphAnswer {
    const user = this.users.get(id);
    if (!user) return notFound(id);
    if (!isObject(body) || Object.keys(body).length === 0) return graphError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
    const readOnly = Object.keys(body).find((k) => ['id', 'createdDateTime', 'signInSessionsValidFromDateTime'].includes(k));
    if (readOnly) return graphError(400, 'Request_BadRequest', `Property '${readOnly}' is read-only and cannot be set.`);
    const unknown = Object.keys(body).find((k) => !USER_WRITABLE.includes(k));
    if (unknown) return graphError(400, 'Request_BadRequest', `Property '${unknown}' does not exist as a declared property or extension property.`);
    if ('accountEnabled' in body && typeof body.accountEnabled !== 'boolean') {
      return graphError(400, 'Request_BadRequest', "Invalid value specified for property 'accountEnabled' of resource 'User'.");
    }
    if (this.lostWrites > 0) {
      this.lostWrites -= 1;
      return { status: 204 };
    }
    for (const key of ['accountEnabled', 'displayName', 'givenName', 'surname', 'mail', 'mailNickname'] as const) {
      if (key in body) (user as unknown as Record<string, unknown>)[key] = body[key];
    }
    return { status: 204 };
  }

  private revokeSessions(id: string): GraphAnswer {
    const user = this.users.get(id) ?? this.userByUpn(id);
    if (!user) return notFound(id);
    user.sessions = 0;
    user.signInSessionsValidFromDateTime = new Date().toISOString();
    return { status: 200, body: { '@odata.context': this.collectionUrl('/$metadata#Edm.Boolean'), value: true } };
  }

  private memberOf(id: string, req: GraphRequest): GraphAnswer {
    const user = this.users.get(id) ?? this.userByUpn(id);
    if (!user) return notFound(id);
    const select = parseSelect(req.query.get('$select'), GROUP_PROPS, GROUP_DEFAULTS, 'microsoft.graph.directoryObject');
    if (!Array.isArray(select)) return select;
    const groups = [...this.groups.values()]
      .filter((g) => g.members.has(user.id))
      .map((g) => ({ '@odata.type': '#microsoft.graph.group', ...pick(this.groupRecord(g), select) }));
    const roles = user.roles.map((name) => ({ '@odata.type': '#microsoft.graph.directoryRole', id: `role-${name}`, displayName: name }));
    const items = [...roles, ...groups];
    return page(items, { url: this.collectionUrl(`/users/${user.id}/memberOf`), query: req.query, pageLimit: this.options.pageLimit, maxTop: 999 }, this.collectionUrl('/$metadata#directoryObjects'));
  }

  private groupRecord(g: StoredGroup): Record<string, unknown> {
    return { id: g.id, displayName: g.displayName, mailNickname: g.mailNickname, groupTypes: g.groupTypes, membershipRule: g.membershipRule, securityEnabled: true, mailEnabled: false, description: null };
  }

  private listGroups(req: GraphRequest): GraphAnswer {
    const filter = parseFilter(req.query.get('$filter'), ['displayName', 'id', 'mailNickname']);
    if (typeof filter !== 'function') return filter;
    const select = parseSelect(req.query.get('$select'), GROUP_PROPS, GROUP_DEFAULTS, 'microsoft.graph.group');
    if (!Array.isArray(select)) return select;
    const items = [...this.groups.values()].map((g) => this.groupRecord(g)).filter(filter).map((g) => pick(g, select));
    return page(items, { url: this.collectionUrl('/groups'), query: req.query, pageLimit: this.options.pageLimit, maxTop: 999 }, this.collectionUrl('/$metadata#groups'));
  }

  private addMember(groupId: string, body: unknown): GraphAnswer {
    const group = this.groups.get(groupId);
    if (!group) return notFound(groupId);
    if (!isObject(body) || typeof body['@odata.id'] !== 'string' || Object.keys(body).length !== 1) {
      return graphError(400, 'Request_BadRequest', "The request body must hold exactly one '@odata.id' reference.");
    }
    const match = /^https?:\/\/[^/]+(?:\/[^/]+)*\/(?:directoryObjects|users)\/([^/?#]+)$/.exec(body['@odata.id']);
    if (!match) return graphError(400, 'Request_BadRequest', "Invalid URL format specified in @odata.id.");
    const memberId = decodeURIComponent(match[1]!);
    if (!this.users.has(memberId)) return notFound(memberId);
    if (group.groupTypes.includes('DynamicMembership')) return dynamicRefused();
    if (group.members.has(memberId)) {
      return graphError(400, 'Request_BadRequest', "One or more added object references already exist for the following modified properties: 'members'.");
    }
    group.members.add(memberId);
    return { status: 204 };
  }

  private removeMember(groupId: string, memberId: string): GraphAnswer {
    const group = this.groups.get(groupId);
    if (!group) return notFound(groupId);
    if (group.groupTypes.includes('DynamicMembership')) return dynamicRefused();
    if (!group.members.has(memberId)) return notFound(memberId);
    group.members.delete(memberId);
    return { status: 204 };
  }
}

function dynamicRefused(): GraphAnswer {
  return graphError(400, 'Request_BadRequest', 'Members of a group with dynamic membership are managed by its rule and cannot be added or removed.');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Entra's rule: 8-256 characters with three of lower case, upper case, digits and symbols. */
function complexEnough(password: string): boolean {
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  return password.length >= 8 && password.length <= 256 && classes >= 3;
}
