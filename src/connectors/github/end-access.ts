/**
 * How a GitHub account's access to the organisation ends. GitHub has no web session an API can
 * end, so the leaver's disable does what can be done, and the note says exactly that:
 *  1. revoke every credential (PAT, SSH key, OAuth or GitHub App user token) the person authorised
 *     for the organisation's SAML SSO (Enterprise Cloud only; an org without them is said so);
 *  2. cancel the person's pending invitations;
 *  3. remove the organisation membership (GitHub removes the team memberships with it);
 *  4. read again: no membership (not even a pending one) and no authorised credential is left.
 * Each step is idempotent, so a retried disable finishes what an interrupted one began. Requests
 * that do not depend on each other go together (GitHub allows 100 at once; the pacer keeps its
 * concurrency and budget): the reads first, with whatever the caller must read before anything is
 * removed, then the revocations and cancellations, then the removal, then both read-backs. So the
 * membership goes after five round trips from the look-up, not nine.
 */
import { ConnectorError } from '../errors';
import type { AccessNote } from '../types';
import type { GithubClient } from './client';
import { credentialAuthorizationListSchema, invitationListSchema } from './convert';
import { SAML_PROVIDER, graphql, samlProviderSchema } from './graphql';

const PER_PAGE = 100;

interface CredentialSweep {
  /** False when the organisation has no credential authorizations (not Enterprise Cloud with SAML SSO). */
  available: boolean;
  ids: number[];
}

/**
 * `alongside` is a read the caller needs before the membership goes (the teams it takes with it):
 * it runs with the reads here, and nothing is removed until it has answered.
 */
export async function endAccess<T>(client: GithubClient, login: string, alongside: Promise<T>): Promise<{ access: AccessNote; read: T }> {
  const [before, found, invitations, read] = await Promise.all([client.membership(login), authorisedCredentials(client, login), pendingInvitations(client, login), alongside]);
  if (!before) await client.requireUser(login);

  // Organisation SAML SSO exists only on Enterprise Cloud, and so do credential authorizations: an
  // org with a SAML provider that answers 404 for them is hiding them from this token. The rest of
  // the leaver still runs, then the disable fails rather than say nothing was there to revoke.
  const hidden = !found.available && (await hasSamlProvider(client));
  const [revocations, cancellations] = await Promise.all([
    Promise.all(found.ids.map((id) => revokeCredential(client, id))),
    Promise.all(invitations.map((id) => cancelInvitation(client, id))),
  ]);
  const revoked = revocations.filter(Boolean).length;
  const cancelled = cancellations.filter(Boolean).length;
  const removed = await removeMembership(client, login);

  const [after, left] = await Promise.all([client.membership(login), authorisedCredentials(client, login)]);
  if (after) {
    const indirect = after.direct_membership === false ? ` through enterprise team(s) ${(after.enterprise_teams_providing_indirect_membership ?? []).join(', ')}; remove it there` : '';
    const code = indirect ? 'conflict' : 'converging';
    throw new ConnectorError(code, `${client.system}: account is still a ${after.state} member of ${client.org} after its membership was removed${indirect}`, client.system);
  }
  if (hidden) {
    throw new ConnectorError('unauthorized', `${client.system}: membership removed, but ${client.org} has SAML SSO and its credential authorizations answered 404 to this token (it must be an organisation owner's, with admin:org), so authorised credentials could not be revoked`, client.system, 404);
  }
  if (left.ids.length > 0) {
    throw new ConnectorError('converging', `${client.system}: ${left.ids.length} SAML-authorised credential(s) still listed after revoking (${left.ids.join(', ')})`, client.system);
  }
  // A pending membership is an invitation: cancelling it ended the membership before the DELETE came.
  const ended = removed || (before?.state === 'pending' && cancelled > 0);
  return { access: { note: describe(client.org, before?.state, ended, found, revoked, cancelled), detail: detailOf(before?.state, ended, found, revoked, cancelled) }, read };
}

async function authorisedCredentials(client: GithubClient, login: string): Promise<CredentialSweep> {
  const ids: number[] = [];
  const shown = client.label('/credential-authorizations');
  const pages = client.pages(credentialAuthorizationListSchema, client.path('/credential-authorizations'), { login, per_page: PER_PAGE }, shown, true);
  for (;;) {
    const page = await pages.next();
    if (page.done) return { available: page.value !== 'not_found', ids };
    // The filter is GitHub's; checked again here, so no one else's credential is ever revoked.
    for (const c of page.value) if (c.login.toLowerCase() === login.toLowerCase()) ids.push(c.credential_id);
  }
}

/** True when this call revoked it; false when it was already gone. */
async function revokeCredential(client: GithubClient, id: number): Promise<boolean> {
  const shown = client.label('/credential-authorizations/{credential_id}');
  const res = await client.request('DELETE', client.path(`/credential-authorizations/${id}`), { accept: [404], label: shown });
  if (res.status === 404) return client.vendorNotFound(res, 'DELETE', shown, false);
  client.expectNoContent(res, 'DELETE', shown);
  return true;
}

async function pendingInvitations(client: GithubClient, login: string): Promise<number[]> {
  const ids: number[] = [];
  const shown = client.label('/invitations');
  const pages = client.pages(invitationListSchema, client.path('/invitations'), { per_page: PER_PAGE }, shown);
  for (;;) {
    const page = await pages.next();
    if (page.done) return ids;
    for (const invitation of page.value) if (invitation.login?.toLowerCase() === login.toLowerCase()) ids.push(invitation.id);
  }
}

async function cancelInvitation(client: GithubClient, id: number): Promise<boolean> {
  const shown = client.label('/invitations/{invitation_id}');
  const res = await client.request('DELETE', client.path(`/invitations/${id}`), { accept: [404], label: shown });
  if (res.status === 404) return client.vendorNotFound(res, 'DELETE', shown, false);
  client.expectNoContent(res, 'DELETE', shown);
  return true;
}

/** DELETE /orgs/{org}/memberships/{username}: true when a membership (or invitation) was removed now. */
async function removeMembership(client: GithubClient, login: string): Promise<boolean> {
  const shown = client.label('/memberships/{username}');
  const res = await client.request('DELETE', client.path(`/memberships/${encodeURIComponent(login)}`), { accept: [404], label: shown });
  if (res.status === 404) return client.vendorNotFound(res, 'DELETE', shown, false);
  client.expectNoContent(res, 'DELETE', shown);
  return true;
}

function describe(org: string, state: string | undefined, removed: boolean, credentials: CredentialSweep, revoked: number, cancelled: number): string {
  const membership = !removed
    ? `no organisation membership in ${org} was left to remove`
    : state === 'pending'
      ? `pending organisation membership (invitation) in ${org} ended`
      : `organisation membership in ${org} removed, team memberships with it`;
  const creds = credentials.available
    ? `${revoked} SAML-authorised credential(s) revoked`
    : 'no credential authorizations to revoke: the organisation has none (SAML SSO credential authorizations exist only on GitHub Enterprise Cloud)';
  return `GitHub has no session to end; access ended by: ${membership}; ${creds}; ${cancelled} pending invitation(s) cancelled.`;
}

function detailOf(state: string | undefined, removed: boolean, credentials: CredentialSweep, revoked: number, cancelled: number): Record<string, string | number | boolean | string[]> {
  return {
    membershipRemoved: removed,
    membershipStateBefore: state ?? 'none',
    credentialAuthorizations: credentials.available ? 'available' : 'unavailable',
    credentialsRevoked: revoked,
    credentialIds: credentials.ids.map(String),
    invitationsCancelled: cancelled,
  };
}

async function hasSamlProvider(client: GithubClient): Promise<boolean> {
  const answer = await graphql(client.http, SAML_PROVIDER, { org: client.org });
  const parsed = samlProviderSchema.safeParse(answer.data);
  if (!parsed.success || !parsed.data.organization) throw new ConnectorError('unavailable', `${client.system}: POST /graphql answered an unexpected body for organisation ${client.org}`, client.system);
  return parsed.data.organization.samlIdentityProvider !== null;
}
