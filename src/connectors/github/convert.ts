/** GitHub's wire objects, parsed at the edge, and what they mean for the shared access model. */
import { z } from 'zod';
import { entitlementNameOf } from '../entitlement';
import type { AccountStatus } from '../types';

/** The REST API version every request names (GitHub answers 400 to one it does not support). */
export const GITHUB_API_VERSION = '2022-11-28';
export const GITHUB_MEDIA_TYPE = 'application/vnd.github+json';

/** GET /orgs/{org}/memberships/{username}: `pending` is an invitation not yet accepted. */
export const orgMembershipSchema = z.object({
  state: z.enum(['active', 'pending']),
  role: z.string(),
  user: z.object({ login: z.string().min(1) }).nullable().optional(),
  direct_membership: z.boolean().optional(),
  enterprise_teams_providing_indirect_membership: z.array(z.string()).optional(),
});
export type OrgMembership = z.infer<typeof orgMembershipSchema>;

export const simpleUserSchema = z.object({ login: z.string().min(1), id: z.number() });
export const simpleUserListSchema = z.array(simpleUserSchema);

export const teamSchema = z.object({ id: z.number(), slug: z.string().min(1) });
export const teamMembershipSchema = z.object({ state: z.enum(['active', 'pending']), role: z.string() });

export const credentialAuthorizationSchema = z.object({
  login: z.string(),
  credential_id: z.number().int(),
  credential_type: z.string(),
});
export const credentialAuthorizationListSchema = z.array(credentialAuthorizationSchema);

export const invitationSchema = z.object({ id: z.number().int(), login: z.string().nullable(), email: z.string().nullable() });
export const invitationListSchema = z.array(invitationSchema);

const githubErrorSchema = z.object({
  message: z.string(),
  documentation_url: z.string().optional(),
  errors: z.array(z.object({ code: z.string().optional(), field: z.string().optional(), resource: z.string().optional() }).loose()).optional(),
});

/** A GitHub login as GitHub allows them: letters, digits and single inner hyphens, at most 39. */
export const isGithubLogin = (value: string): boolean => /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(value);

export function accountStatusOf(membership: OrgMembership | null): AccountStatus {
  if (!membership) return 'deprovisioned';
  return membership.state === 'active' ? 'active' : 'staged';
}

/**
 * A 404 GitHub itself gave: its JSON error body `{"message":"Not Found","documentation_url":...}`,
 * not a proxy's or a wrong base URL's page.
 */
export function isGithubNotFound(body: unknown): boolean {
  const parsed = githubErrorSchema.safeParse(body);
  return parsed.success && parsed.data.message === 'Not Found' && typeof parsed.data.documentation_url === 'string';
}

/**
 * GitHub's `message`, with the codes of a validation error (422). The `errors[].message` and
 * `value` members are left out: they can repeat the login or email the request carried.
 */
export function githubErrorMessage(body: unknown): string | undefined {
  const parsed = githubErrorSchema.safeParse(body);
  if (!parsed.success) return typeof body === 'string' && !body.trimStart().startsWith('<') ? body.slice(0, 200) : undefined;
  const codes = (parsed.data.errors ?? []).map((e) => [e.resource, e.field, e.code].filter(Boolean).join(' ')).filter((s) => s !== '');
  return codes.length > 0 ? `${parsed.data.message} (${codes.join('; ')})` : parsed.data.message;
}

/** Entitlements here are `team:<slug>`; any other kind is a missing ability, not a bad request. */
export function teamSlugOf(system: string, entitlement: string): string {
  return entitlementNameOf(system, entitlement, 'team', 'slug');
}

export function teamEntitlement(slug: string): string {
  return `team:${slug}`;
}

/** Scopes of a classic token or OAuth app token, from `X-OAuth-Scopes`; undefined when GitHub did not send the header. */
export function oauthScopesOf(headers: Headers): string[] | undefined {
  const header = headers.get('x-oauth-scopes');
  if (header === null) return undefined;
  return header.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Scopes the connector needs of a classic token, each with the scopes that imply it (GitHub's
 * scope hierarchy: admin:org holds write:org, which holds read:org).
 */
export const REQUIRED_SCOPES: readonly { scope: string; satisfiedBy: readonly string[]; why: string }[] = [
  { scope: 'admin:org', satisfiedBy: ['admin:org'], why: 'removing members, cancelling invitations and revoking SAML credential authorizations' },
  { scope: 'read:org', satisfiedBy: ['read:org', 'write:org', 'admin:org'], why: "reading the organisation's SAML identities and teams over GraphQL" },
];
