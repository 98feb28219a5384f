import fc from 'fast-check';
import type { Role } from '../../src/api/auth';
import { approveActionId, reasonActionId, reasonBlockId, rejectActionId, rejectReasonCallbackId } from '../../src/slack/ids';
import { anyJson, bodyBytes, contentType, extraHeaders, headerValue, hugeBody, mutated, nastyString, pathSegment, queryString, type FuzzRequest } from './fuzz-http';
import { blockActionsPayload, slackSignature, slackSigningSecret, viewSubmissionPayload } from './slack';
import { adminToken, auditorToken } from './test-engine';

/** Arbitraries for the API, codec and Slack doors. */

/** Every /api route (src/api/*.ts), with the roles that may call it. */
export const apiRoutes: { method: 'GET' | 'POST'; path: (id: string) => string; roles: readonly Role[] }[] = [
  { method: 'GET', path: () => '/api/reports/offboarding?from=2026-01-01&to=2026-01-31', roles: ['auditor'] },
  { method: 'GET', path: (id) => `/api/employees/${id}/evidence`, roles: ['auditor'] },
  { method: 'GET', path: () => '/api/evidence/verify', roles: ['auditor'] },
  { method: 'GET', path: () => '/api/approvals', roles: ['admin'] },
  { method: 'POST', path: (id) => `/api/approvals/${id}`, roles: ['admin'] },
  { method: 'GET', path: (id) => `/api/employees/${id}`, roles: ['admin', 'auditor'] },
  { method: 'GET', path: (id) => `/api/employees/${id}/preview?event=hire`, roles: ['admin'] },
  { method: 'GET', path: (id) => `/api/leavers/hold/hold-bamboohr-${id}`, roles: ['admin', 'auditor'] },
  { method: 'GET', path: (id) => `/api/leavers/hold/${id}`, roles: ['admin', 'auditor'] },
  { method: 'POST', path: (id) => `/api/leavers/hold/hold-bamboohr-${id}`, roles: ['admin'] },
];

export type Presented = { role: Role | 'unknown' | 'none'; header?: string };

/** An Authorization header: a real token (in odd spellings too), a near miss, garbage, or none. */
export const presentedToken: fc.Arbitrary<Presented> = fc.oneof(
  fc.constant<Presented>({ role: 'none' }),
  fc.constantFrom<Presented>(
    { role: 'admin', header: `Bearer ${adminToken}` },
    { role: 'admin', header: `bearer  ${adminToken}` },
    { role: 'auditor', header: `Bearer ${auditorToken}` },
    { role: 'auditor', header: `BEARER\t${auditorToken}` },
    { role: 'unknown', header: `Bearer ${adminToken}x` },
    { role: 'unknown', header: `Bearer ${auditorToken.slice(0, -1)}` },
    { role: 'unknown', header: `Bearer ${adminToken} ${auditorToken}` },
    { role: 'unknown', header: `Basic ${Buffer.from(`admin:${adminToken}`).toString('base64')}` },
    { role: 'unknown', header: adminToken },
    { role: 'unknown', header: 'Bearer' },
  ),
  headerValue.map((v): Presented => ({ role: 'unknown', header: v })),
);

export const tokenOf = (role: Role) => `Bearer ${role === 'admin' ? adminToken : auditorToken}`;

/**
 * IDs that route to the :id segment: employee refs, approval IDs, and nastiness. 4650-4699:
 * the webhook fuzz (4600-4649) starts workflows on the shared Temporal server.
 */
export const idSegment = fc.oneof(
  fc.integer({ min: 4650, max: 4699 }).map(String),
  fc.constantFrom('bamboohr:4651', 'workday:4651', 'workday:W-9', 'okta:1', ':', 'bamboohr:', '4651%3A', 'a'.repeat(65)),
  pathSegment,
);

/** A decision body for POST /api/approvals/:id: valid, mutated, or anything. */
export const decisionBody = fc.oneof(
  fc.record({ decision: fc.constantFrom('approve', 'reject'), reason: fc.option(nastyString, { nil: undefined }) }, { requiredKeys: ['decision'] }),
  mutated(fc.constant({ decision: 'reject', reason: 'no longer needed' })),
  anyJson,
);

/** A Temporal Payload in proto3 JSON, as the UI sends it. */
export const payloadJson = fc.record(
  {
    metadata: fc.dictionary(fc.constantFrom('encoding', 'messageType', 'encryption-key-id', 'x'), fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a).toString('base64')), { maxKeys: 3 }),
    data: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a).toString('base64')),
  },
  { requiredKeys: ['metadata', 'data'] },
);

export const codecBody = fc.oneof(
  { weight: 3, arbitrary: fc.record({ payloads: fc.array(payloadJson, { maxLength: 3 }) }) },
  { weight: 3, arbitrary: mutated(fc.record({ payloads: fc.array(payloadJson, { minLength: 1, maxLength: 2 }) })) },
  { weight: 1, arbitrary: anyJson },
);

export const codecPath = fc.oneof(
  fc.constantFrom('/codec/encode', '/codec/decode', '/codec/default/encode', '/codec/default/decode'),
  fc.tuple(pathSegment, fc.constantFrom('encode', 'decode', 'other')).map(([ns, op]) => `/codec/${ns}/${op}`),
);

export const codecRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.oneof({ weight: 5, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('GET', 'OPTIONS', 'PUT', 'DELETE') }),
    path: codecPath,
    token: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(tokenOf('admin'), tokenOf('auditor')) }, { weight: 1, arbitrary: presentedToken.map((p) => p.header ?? '') }),
    type: contentType,
    body: fc.oneof({ weight: 30, arbitrary: bodyBytes(codecBody) }, { weight: 1, arbitrary: fc.constant(hugeBody(4 * 1024 * 1024)) }),
    extra: extraHeaders,
  })
  .map(({ method, path, token, type, body, extra }) => ({
    method,
    path,
    headers: { ...extra, ...(token ? { authorization: token } : {}), 'content-type': type },
    ...(method === 'GET' ? {} : { body }),
  }));

// ---- Slack ----------------------------------------------------------------------------------

const slackClick = fc.record({ approvalId: fc.oneof(fc.uuid(), nastyString), actionId: fc.constantFrom(approveActionId, rejectActionId), userId: fc.constantFrom('U0FUZZ', 'U0NOBODY') });

/** Interaction payloads the engine's handlers route: button clicks and the reason dialog. */
export const slackPayload = fc.oneof(
  slackClick.map((c) => blockActionsPayload({ userId: c.userId, actionId: c.actionId, value: c.approvalId, channelId: 'D0FUZZ', messageTs: '1700000000.000100' })),
  fc.record({ reason: fc.option(nastyString, { nil: null }), metadata: fc.oneof(nastyString, anyJson.map((v) => JSON.stringify(v))) }).map((v) =>
    viewSubmissionPayload({ userId: 'U0FUZZ', callbackId: rejectReasonCallbackId, privateMetadata: v.metadata, values: { [reasonBlockId]: { [reasonActionId]: { type: 'plain_text_input', value: v.reason } } } }),
  ),
);

/** A request body as Slack posts it (form-encoded payload=…), or not quite. */
export const slackBody = fc.oneof(
  { weight: 4, arbitrary: slackPayload.map((p) => new URLSearchParams({ payload: JSON.stringify(p) }).toString()) },
  { weight: 2, arbitrary: mutated(slackPayload).map((p) => new URLSearchParams({ payload: JSON.stringify(p) }).toString()) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => new URLSearchParams({ payload: s }).toString()) },
  { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v) ?? 'null') },
);

// A timestamp ahead of the clock, signed with the real secret, is genuine: Slack's scheme only
// bounds how old a signature may be.
const slackForgery = fc.constantFrom('none', 'garbage', 'wrong-secret', 'other-body', 'stale', 'no-v0', 'timestamp-junk');

/** POST /slack/events that Slack did not sign: Bolt must refuse each with 401. */
export const forgedSlackRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({ body: slackBody, how: slackForgery, junk: headerValue, type: fc.constantFrom('application/x-www-form-urlencoded', 'application/json') })
  .map(({ body, how, junk, type }) => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (secret: string, ts: number, raw: string) => ({ 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(secret, ts, raw) });
    const auth: Record<string, string> = {
      none: {},
      garbage: { 'x-slack-request-timestamp': String(now), 'x-slack-signature': junk },
      'wrong-secret': sign(`${slackSigningSecret}x`, now, body),
      'other-body': sign(slackSigningSecret, now, `${body}&x=1`),
      stale: sign(slackSigningSecret, now - 600, body),
      'no-v0': { 'x-slack-request-timestamp': String(now), 'x-slack-signature': slackSignature(slackSigningSecret, now, body).slice(3) },
      'timestamp-junk': { 'x-slack-request-timestamp': junk, 'x-slack-signature': slackSignature(slackSigningSecret, now, body) },
    }[how]!;
    return { method: 'POST', path: '/slack/events', headers: { 'content-type': type, ...auth }, body };
  });

/**
 * Bodies for signed requests: ones the engine's handlers route (with fuzzed values), and ones
 * Bolt refuses before routing. (A signed payload no listener takes is held for Bolt's
 * three-second unhandled-request timeout: correct, but too slow to fuzz by the hundred.)
 */
const signedSlackBody = fc.oneof(
  { weight: 6, arbitrary: slackPayload.map((p) => ({ type: 'application/x-www-form-urlencoded', body: new URLSearchParams({ payload: JSON.stringify(p) }).toString() })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).filter((s) => !s.trim().startsWith('{')).map((s) => ({ type: 'application/x-www-form-urlencoded', body: new URLSearchParams({ payload: s }).toString() })) },
  { weight: 1, arbitrary: nastyString.map((challenge) => ({ type: 'application/json', body: JSON.stringify({ type: 'url_verification', token: 'x', challenge }) })) },
);

/** POST /slack/events signed with the real signing secret. */
export const signedSlackRequest: fc.Arbitrary<FuzzRequest> = signedSlackBody.map(({ body, type }) => {
  const now = Math.floor(Date.now() / 1000);
  return { method: 'POST', path: '/slack/events', headers: { 'content-type': type, 'x-slack-request-timestamp': String(now), 'x-slack-signature': slackSignature(slackSigningSecret, now, body) }, body };
});

// ---- anywhere -------------------------------------------------------------------------------

const knownPrefix = fc.constantFrom('', '/api', '/api/employees', '/api/approvals', '/api/reports', '/codec', '/webhooks', '/webhooks/bamboohr', '/webhooks/workday', '/slack', '/slack/events', '/healthz', '/metrics', '/console');

/** Any method on any path (known prefixes plus fuzzed segments), with any headers and body. */
export const anyRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({ method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'TRACE', 'SEARCH'), prefix: knownPrefix, segments: fc.array(pathSegment, { maxLength: 3 }), query: queryString, token: presentedToken, type: contentType, body: fc.option(bodyBytes(anyJson), { nil: undefined }), extra: extraHeaders })
  .map(({ method, prefix, segments, query, token, type, body, extra }) => ({
    method,
    path: `${prefix}${segments.map((s) => `/${s}`).join('')}`.replace(/^(?!\/)/, '/') + query,
    headers: { ...extra, ...(token.header !== undefined ? { authorization: token.header } : {}), 'content-type': type },
    ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
  }));
