/**
 * A leaver's session kill in Google Workspace: users.signOut ends every web and device session
 * and resets sign-in cookies; then each OAuth grant the user gave a third-party app is revoked
 * (tokens.delete per clientId) and each application-specific password (asps.delete per codeId),
 * since both outlive a sign-out. Fresh lists must show none left.
 */
import { ConnectorError } from '../errors';
import type { AccessNote } from '../types';
import { userPath, type DirectoryApi } from './api';
import { googleAspListSchema, googleTokenListSchema } from './convert';

export async function killGoogleSessions(api: DirectoryApi, accountId: string): Promise<AccessNote> {
  const base = userPath(accountId);
  const signOut = `${base}/signOut`;
  const out = await api.call('security', 'POST', signOut, { accept: [404] });
  if (out.status === 404) throw api.missingUserOr(out, 'POST', signOut, accountId);
  api.expectNoContent(out, 'POST', signOut);

  const clientIds = await oauthClients(api, accountId);
  for (const clientId of clientIds) await deleteGone(api, `${base}/tokens/${encodeURIComponent(clientId)}`);
  const codeIds = await appPasswords(api, accountId);
  for (const codeId of codeIds) await deleteGone(api, `${base}/asps/${codeId}`);

  const [tokensLeft, aspsLeft] = [await oauthClients(api, accountId), await appPasswords(api, accountId)];
  if (tokensLeft.length > 0 || aspsLeft.length > 0) {
    throw new ConnectorError('converging', `${api.system}: user ${accountId} still has ${tokensLeft.length} OAuth grants and ${aspsLeft.length} app passwords after revoking them`, api.system);
  }
  return {
    note:
      `Signed out of every web and device session (Google has no session list to read back); ` +
      `revoked ${clientIds.length} OAuth app grants and ${codeIds.length} app passwords, and fresh lists show none left`,
    detail: { signedOut: true, oauthGrantsRevoked: clientIds.length, appPasswordsRevoked: codeIds.length, oauthClientIds: clientIds },
  };
}

async function oauthClients(api: DirectoryApi, accountId: string): Promise<string[]> {
  const path = `${userPath(accountId)}/tokens`;
  const res = await api.call('security', 'GET', path, { accept: [404] });
  if (res.status === 404) throw api.missingUserOr(res, 'GET', path, accountId);
  return [...new Set((api.parse(googleTokenListSchema, res, 'GET', path).items ?? []).map((t) => t.clientId))];
}

async function appPasswords(api: DirectoryApi, accountId: string): Promise<number[]> {
  const path = `${userPath(accountId)}/asps`;
  const res = await api.call('security', 'GET', path, { accept: [404] });
  if (res.status === 404) throw api.missingUserOr(res, 'GET', path, accountId);
  return [...new Set((api.parse(googleAspListSchema, res, 'GET', path).items ?? []).map((a) => a.codeId))];
}

/** A grant or password already gone (Google's own 404) is what we wanted; the fresh lists decide. */
async function deleteGone(api: DirectoryApi, path: string): Promise<void> {
  const res = await api.call('security', 'DELETE', path, { accept: [404] });
  if (res.status === 404) {
    if (!api.isNotFound(res)) throw api.toError('DELETE', path, res);
    return;
  }
  api.expectNoContent(res, 'DELETE', path);
}
