/**
 * A SCIM 2.0 directory kept in memory: scimmy parses filters, patches and messages and
 * scimmy-routers serves the RFC 7644 endpoints; this file adds the storage, Bearer auth and
 * seeding. `jml dev` runs one as its sandbox when no systems are configured; the tests' SCIM
 * peer (test/peers/scim-peer.ts) is one with test controls and vendor dialects in front.
 */
import type { Router } from 'express';
import { randomUUID } from 'node:crypto';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

export interface StoredUser {
  id: string;
  userName: string;
  active: boolean;
  name?: Record<string, string>;
  displayName?: string;
  emails: { value: string; type?: string; primary?: boolean }[];
  created: string;
  lastModified: string;
}

export interface StoredGroup {
  id: string;
  displayName: string;
  members: Set<string>;
  created: string;
  lastModified: string;
}

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** One directory's storage; scimmy's resource registry is process-wide, so each request carries its store as context. */
export class ScimStore {
  readonly users = new Map<string, StoredUser>();
  readonly groups = new Map<string, StoredGroup>();
  /** Lower-cased userName -> ID, and the users in order, so a directory of 100,000 is seeded and paged quickly. */
  private readonly names = new Map<string, string>();
  private ordered: StoredUser[] | undefined;
  constructor(readonly memberFilter: boolean) {}

  putUser(u: StoredUser): void {
    const before = this.users.get(u.id);
    if (before) this.names.delete(before.userName.toLowerCase());
    this.users.set(u.id, u);
    this.names.set(u.userName.toLowerCase(), u.id);
    this.ordered = undefined;
  }

  removeUser(id: string): boolean {
    const u = this.users.get(id);
    if (!u) return false;
    this.users.delete(id);
    this.names.delete(u.userName.toLowerCase());
    for (const g of this.groups.values()) g.members.delete(id);
    this.ordered = undefined;
    return true;
  }

  userNamed(userName: string): StoredUser | undefined {
    const id = this.names.get(userName.toLowerCase());
    return id === undefined ? undefined : this.users.get(id);
  }

  userList(): StoredUser[] {
    this.ordered ??= [...this.users.values()];
    return this.ordered;
  }

  hasUser(id: string): boolean {
    return this.users.has(id);
  }

  hasGroup(id: string): boolean {
    return this.groups.has(id);
  }

  isMember(groupId: string, userId: string): boolean {
    return this.groups.get(groupId)?.members.has(userId) ?? false;
  }

  userOut(u: StoredUser): Record<string, unknown> {
    const groups = [...this.groups.values()]
      .filter((g) => g.members.has(u.id))
      .map((g) => ({ value: g.id, display: g.displayName, type: 'direct' }));
    const { created, lastModified, ...rest } = u;
    return { ...rest, groups, meta: { created, lastModified } };
  }

  groupOut(g: StoredGroup): Record<string, unknown> {
    const members = [...g.members].map((id) => ({ value: id, display: this.users.get(id)?.userName, type: 'User' }));
    return { id: g.id, displayName: g.displayName, members, meta: { created: g.created, lastModified: g.lastModified } };
  }
}

const scimError = (status: number, scimType: string, detail: string) => new SCIMMY.Types.Error(status, scimType, detail);

function storeOf(ctx: unknown): ScimStore {
  if (ctx instanceof ScimStore) return ctx;
  throw scimError(500, '', 'no store in request context');
}

/** A plain copy of a scimmy schema instance (drops its getters and proxies). */
function plain(instance: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
}

/** What the handlers read from scimmy's resource instance. */
interface ResourceRef {
  id?: string;
  filter?: SCIMMY.Types.Filter;
}
type Egress = (resource: ResourceRef, ctx: unknown) => Record<string, unknown> | Record<string, unknown>[];
type Ingress = (resource: ResourceRef, instance: unknown, ctx: unknown) => Record<string, unknown>;
type Degress = (resource: ResourceRef, ctx: unknown) => void;

const userEgress: Egress = (resource, ctx) => {
  const store = storeOf(ctx);
  if (resource.id) {
    const user = store.users.get(resource.id);
    if (!user) throw scimError(404, '', `Resource ${resource.id} not found`);
    return store.userOut(user);
  }
  const all = store.userList().map((u) => store.userOut(u));
  return resource.filter ? resource.filter.match(all) : all;
};

const userIngress: Ingress = (resource, instance, ctx) => {
  const store = storeOf(ctx);
  const data = plain(instance);
  const userName = String(data.userName ?? '');
  const named = store.userNamed(userName);
  const clash = named && named.id !== resource.id ? named : undefined;
  if (clash) throw scimError(409, 'uniqueness', `userName ${userName} is already taken`);
  const existing = resource.id ? store.users.get(resource.id) : undefined;
  if (resource.id && !existing) throw scimError(404, '', `Resource ${resource.id} not found`);
  const now = new Date().toISOString();
  const user: StoredUser = {
    id: existing?.id ?? randomUUID(),
    userName,
    active: data.active === undefined ? true : data.active === true,
    name: data.name as Record<string, string> | undefined,
    displayName: data.displayName as string | undefined,
    emails: (data.emails as StoredUser['emails'] | undefined) ?? [],
    created: existing?.created ?? now,
    lastModified: now,
  };
  store.putUser(user);
  return store.userOut(user);
};

const userDegress: Degress = (resource, ctx) => {
  const store = storeOf(ctx);
  if (!resource.id || !store.removeUser(resource.id)) throw scimError(404, '', `Resource ${resource.id} not found`);
};

const groupEgress: Egress = (resource, ctx) => {
  const store = storeOf(ctx);
  if (resource.id) {
    const group = store.groups.get(resource.id);
    if (!group) throw scimError(404, '', `Resource ${resource.id} not found`);
    return store.groupOut(group);
  }
  if (resource.filter && !store.memberFilter && /members/i.test(resource.filter.expression)) {
    throw scimError(400, 'invalidFilter', 'Filtering on members is not supported');
  }
  const all = [...store.groups.values()].map((g) => store.groupOut(g));
  return resource.filter ? resource.filter.match(all) : all;
};

const groupIngress: Ingress = (resource, instance, ctx) => {
  const store = storeOf(ctx);
  const data = plain(instance);
  const displayName = String(data.displayName ?? '');
  const clash = [...store.groups.values()].find((g) => g.displayName.toLowerCase() === displayName.toLowerCase() && g.id !== resource.id);
  if (clash) throw scimError(409, 'uniqueness', `displayName ${displayName} is already taken`);
  const existing = resource.id ? store.groups.get(resource.id) : undefined;
  if (resource.id && !existing) throw scimError(404, '', `Resource ${resource.id} not found`);
  // Membership is a set: adding a member twice leaves one membership.
  const members = new Set(((data.members as { value: string }[] | undefined) ?? []).map((m) => m.value));
  const unknown = [...members].find((id) => !store.users.has(id));
  if (unknown) throw scimError(400, 'invalidValue', `member ${unknown} is not a known User`);
  const now = new Date().toISOString();
  const group: StoredGroup = { id: existing?.id ?? randomUUID(), displayName, members, created: existing?.created ?? now, lastModified: now };
  store.groups.set(group.id, group);
  return store.groupOut(group);
};

const groupDegress: Degress = (resource, ctx) => {
  const store = storeOf(ctx);
  if (!resource.id || !store.groups.delete(resource.id)) throw scimError(404, '', `Resource ${resource.id} not found`);
};

let declared = false;
/** scimmy keeps one process-wide registry; declare once and route each request to its directory's store. */
export function declareResources(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User, { egress: userEgress, ingress: userIngress, degress: userDegress });
  SCIMMY.Resources.declare(SCIMMY.Resources.Group, { egress: groupEgress, ingress: groupIngress, degress: groupDegress });
}


/**
 * Express 5 re-parses req.query on every read, so the numbers scimmy needs to page (startIndex,
 * count) are lost unless the query parser itself makes them numbers: set with app.set('query parser', ...).
 */
export function scimQueryParser(qs: string): Record<string, string | number> {
  const query: Record<string, string | number> = Object.fromEntries(new URLSearchParams(qs));
  for (const key of ['startIndex', 'count']) if (typeof query[key] === 'string' && /^\d+$/.test(query[key])) query[key] = Number(query[key]);
  return query;
}

/** The RFC 7644 endpoints over `store`, for requests bearing `token`. */
export function scimRouter(store: ScimStore, token: string): Router {
  declareResources();
  const scim = new SCIMMYRouters({
    type: 'bearer',
    handler: (req) => {
      if (req.header('authorization') !== `Bearer ${token}`) throw new Error('Invalid or missing bearer token');
      return 'jml-engine';
    },
    context: () => store,
  });
  return scim as unknown as Router;
}

/** A group named displayName, with these userNames as members. */
export function seedGroup(store: ScimStore, group: { displayName: string; members?: string[] }): { id: string; displayName: string } {
  const now = new Date().toISOString();
  const members = new Set(
    (group.members ?? []).map((userName) => {
      const user = store.userNamed(userName);
      if (!user) throw new Error(`scim directory: unknown member ${userName}`);
      return user.id;
    }),
  );
  const stored: StoredGroup = { id: randomUUID(), displayName: group.displayName, members, created: now, lastModified: now };
  store.groups.set(stored.id, stored);
  return { id: stored.id, displayName: stored.displayName };
}

/** An active (unless told) user with a work email, in the named groups (made when missing). */
export function seedUser(
  store: ScimStore,
  seed: { userName: string; email?: string; givenName?: string; familyName?: string; active?: boolean; groups?: string[] },
): { id: string; userName: string } {
  if (store.userNamed(seed.userName)) throw new Error(`scim directory: user ${seed.userName} already exists`);
  const now = new Date().toISOString();
  const user: StoredUser = {
    id: randomUUID(),
    userName: seed.userName,
    active: seed.active ?? true,
    name: { givenName: seed.givenName ?? 'Test', familyName: seed.familyName ?? 'User' },
    emails: [{ value: seed.email ?? seed.userName, type: 'work', primary: true }],
    created: now,
    lastModified: now,
  };
  store.putUser(user);
  for (const name of seed.groups ?? []) {
    const group = [...store.groups.values()].find((g) => g.displayName === name) ?? store.groups.get(seedGroup(store, { displayName: name }).id)!;
    group.members.add(user.id);
  }
  return { id: user.id, userName: user.userName };
}
