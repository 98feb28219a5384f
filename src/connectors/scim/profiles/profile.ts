/**
 * What differs between SCIM servers, as one strategy per documented dialect: where the resources
 * live, how lists page, how to find the groups a user is in (completely, or not at all), and the
 * PATCH bodies for `active` and group members. The connector picks one by `systems[].profile`.
 */
import type { ScimProfileName } from './names';
import type { JsonHttpClient } from '../../http';
import type { ScimGroup, ScimUser } from '../convert';
import type { PagingLimits } from '../paging';

/** What the connector lends a profile to talk to the server. */
export interface ScimApi {
  readonly http: JsonHttpClient;
  readonly limits: PagingLimits;
  /** The user; ConnectorError 'not_found' when the server itself said it is missing. */
  requireUser(accountId: string): Promise<ScimUser>;
  /** A group resource from a list or read; 'unavailable' when it is not one. */
  parseGroup(item: unknown, path: string): ScimGroup;
}

export interface ScimProfile {
  readonly name: ScimProfileName;
  readonly usersPath: string;
  readonly groupsPath: string;
  /** Every page of a list query, complete or an error. */
  list(api: ScimApi, path: string, query: Record<string, string>): Promise<unknown[]>;
  /** The same listing one page at a time (every user of a large directory); `limits` override the connector's. */
  pages(api: ScimApi, path: string, query: Record<string, string>, limits?: PagingLimits): AsyncIterable<unknown[]>;
  /** Query that finds groups by exact displayName. */
  groupByNameQuery(name: string): Record<string, string>;
  /** The groups the account is directly in: complete, or an error. A missing account is 'not_found'. */
  groupsOf(api: ScimApi, accountId: string): Promise<ScimGroup[]>;
  activeBody(active: boolean): Record<string, unknown>;
  addMemberBody(accountId: string): Record<string, unknown>;
  removeMemberBody(accountId: string): Record<string, unknown>;
}
