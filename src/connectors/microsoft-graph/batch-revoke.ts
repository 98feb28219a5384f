/**
 * A leaver's memberships removed in JSON $batch calls (one call per 20 groups instead of 20), each
 * entry with the same outcome revokeEntitlement would give it: removed or not held (undefined),
 * not_removable for a dynamic group, bad_request for a name no group (or several) has, not_found
 * for a missing user, rate_limited for an inner request still throttled after the waits.
 */
import { ConnectorError } from '../errors';
import { groupNameOf } from '../entitlement';
import { isDynamic, memberRefPath, notRemovable, retryAfterValueMs, type GraphGroup } from './convert';
import { isThrottledAnswer, sendBatch, type BatchAnswer, type BatchRequest } from './batch';
import type { MicrosoftGraphConnector } from './connector';

interface Target {
  index: number;
  name: string;
  group: GraphGroup;
}

export async function revokeInBatch(connector: MicrosoftGraphConnector, accountId: string, entitlements: string[]): Promise<(Error | undefined)[]> {
  const system = connector.id;
  const results: (Error | undefined)[] = entitlements.map(() => undefined);
  const targets: Target[] = [];
  for (const [index, entitlement] of entitlements.entries()) {
    try {
      const name = groupNameOf(system, entitlement);
      const group = await connector.groups.require(name);
      if (isDynamic(group)) results[index] = notRemovable(system, name, group);
      else targets.push({ index, name, group });
    } catch (err) {
      if (!(err instanceof ConnectorError)) throw err;
      results[index] = err;
    }
  }
  if (targets.length === 0) return results;

  const requests: BatchRequest[] = targets.map((t) => ({ id: String(t.index), method: 'DELETE', url: memberRefPath(t.group.id, accountId) }));
  const answers = await sendBatch(connector.http, requests, { pacer: connector.pacer, maxInlineWaitMs: connector.maxInlineWaitMs });
  const notFound: Target[] = [];
  for (const target of targets) {
    const answer = answers.get(String(target.index))!;
    if (answer.status >= 200 && answer.status < 300) continue;
    if (answer.status === 404 && connector.http.isVendorNotFound(asResponse(answer))) notFound.push(target);
    else results[target.index] = errorOf(connector, target, accountId, answer);
  }
  if (notFound.length === 0) return results;

  // Graph's 404 means "not a member", "no such user" or "no such group": one read of the user, then each group.
  try {
    await connector.requireUser(accountId);
  } catch (err) {
    if (!(err instanceof ConnectorError)) throw err;
    for (const t of notFound) results[t.index] = err;
    return results;
  }
  for (const target of notFound) {
    try {
      if (await connector.groups.byId(target.group.id)) continue;
      // The group went away: the single path searches the name again and retries once.
      await connector.revokeEntitlement(accountId, entitlements[target.index]!);
    } catch (err) {
      if (!(err instanceof ConnectorError)) throw err;
      results[target.index] = err;
    }
  }
  return results;
}

function asResponse(answer: BatchAnswer) {
  return { status: answer.status, headers: new Headers(answer.headers), body: answer.body };
}

function errorOf(connector: MicrosoftGraphConnector, target: Target, accountId: string, answer: BatchAnswer): ConnectorError {
  const path = memberRefPath(target.group.id, accountId);
  if (isThrottledAnswer(answer)) {
    const waitMs = retryAfterValueMs(answer.headers['retry-after'], Date.now()) ?? 1000;
    return new ConnectorError('rate_limited', `${connector.id}: DELETE ${path} in a $batch was still throttled (${answer.status}; retry after ${waitMs} ms)`, connector.id, answer.status, waitMs);
  }
  return connector.http.toError('DELETE', path, asResponse(answer));
}
