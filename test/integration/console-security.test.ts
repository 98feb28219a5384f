import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../src/approvals/store';
import type { ApprovalRecord } from '../../src/approvals/types';
import { csrfOf, sessionCookieOf, signIn, signInRequest, type ConsoleVisitor } from '../harness/console';
import { adminToken, auditorToken, startTestEngine, type TestEngine } from '../harness/test-engine';

/**
 * The console's doors on the real engine (API, worker, Temporal, database): who may sign in,
 * what the cookie holds, which posts are refused (cross-site, no CSRF token, wrong role), and
 * that a refused post changes nothing. The browser test drives the pages themselves.
 */
let engine: TestEngine;
let approvals: ApprovalStore;
let admin: ConsoleVisitor;
let auditor: ConsoleVisitor;
let counter = 0;

beforeAll(async () => {
  engine = await startTestEngine({ yaml: 'systems: []\n', env: { JML_AUTH_FAILURE_LIMIT: '4', JML_TEMPORAL_UI_URL: 'http://ui.test:8233/' } });
  approvals = new ApprovalStore(engine.db);
  admin = await signIn(engine.url, adminToken);
  auditor = await signIn(engine.url, auditorToken);
}, 60_000);

afterAll(async () => {
  await engine?.close();
});

function pendingApproval(): Promise<ApprovalRecord> {
  counter += 1;
  const workflowId = `joiner-bamboohr-console${counter}-ev1`;
  return approvals.request({
    approvalId: `${workflowId}:aws:group:prod-admin`,
    workflowId,
    employeeId: `console${counter}`,
    hrSource: 'bamboohr',
    system: 'aws',
    entitlement: 'group:prod-admin',
    rules: ['rules[0]'],
    requestedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
}

const decisionPath = (a: ApprovalRecord) => `/console/approvals/${encodeURIComponent(a.approvalId)}`;

describe('the console', () => {
  it('answers with a strict CSP, no framing, no caching of pages, and sends the signed-out to the sign-in form', async () => {
    const page = await fetch(`${engine.url}/console`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/console/sign-in');
    const form = await fetch(`${engine.url}/console/sign-in`);
    expect(form.status).toBe(200);
    expect(form.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(form.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(form.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(form.headers.get('x-frame-options')).toBe('DENY');
    expect(form.headers.get('cache-control')).toBe('no-store');
    const unknown = await admin.get('/console/nowhere');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('text/html');
  });

  it('signs in with a token and keeps a signed session, never the token, in an http-only same-site cookie', async () => {
    const res = await signInRequest(engine.url, auditorToken);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    const cookie = sessionCookieOf(res)!;
    expect(cookie).toMatch(/; Path=\/console; Max-Age=28800; HttpOnly; SameSite=Strict$/);
    const value = cookie.split(';')[0]!.slice('jml_console='.length);
    for (const form of [auditorToken, Buffer.from(auditorToken).toString('base64'), Buffer.from(auditorToken).toString('base64url')]) expect(value).not.toContain(form);
    expect(Buffer.from(value.split('.')[0]!, 'base64url').toString()).not.toContain(auditorToken);
    // Behind a TLS-terminating proxy on this machine (trusted by default), the cookie is Secure too.
    const viaTls = await signInRequest(engine.url, auditorToken, { 'x-forwarded-proto': 'https' });
    expect(sessionCookieOf(viaTls)).toMatch(/; Secure$/);
    const page = await auditor.get('/console');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Signed in as auditor');
  });

  it('refuses a wrong token with 401 (counted like the API: repeated guesses are answered 429) and a cross-site sign-in with 403', async () => {
    const crossSite = await signInRequest(engine.url, adminToken, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(sessionCookieOf(crossSite)).toBeUndefined();
    const fetchSite = await signInRequest(engine.url, adminToken, { 'sec-fetch-site': 'cross-site' });
    expect(fetchSite.status).toBe(403);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await signInRequest(engine.url, `guess-${i}-0123456789abcdef`, { origin: engine.url, 'x-forwarded-for': '203.0.113.9' })).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4)).toEqual([429, 429]);
    // Other addresses are not refused for it.
    expect((await signInRequest(engine.url, auditorToken)).status).toBe(303);
  });

  it('refuses a forged, tampered or truncated cookie: the page asks to sign in again', async () => {
    const [body, mac] = admin.cookie.slice('jml_console='.length).split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { r: string; e: number };
    const promoted = Buffer.from(JSON.stringify({ ...payload, r: 'admin' })).toString('base64url');
    const [auditorBody] = auditor.cookie.slice('jml_console='.length).split('.') as [string];
    const auditorPayload = JSON.parse(Buffer.from(auditorBody, 'base64url').toString()) as object;
    const forged = [
      `${Buffer.from(JSON.stringify({ ...auditorPayload, r: 'admin' })).toString('base64url')}.${auditor.cookie.split('.')[1]}`,
      `${promoted}.${mac.slice(0, -2)}AA`,
      body,
      `${body}.`,
      'x'.repeat(5000),
    ];
    for (const value of forged) {
      const res = await fetch(`${engine.url}/console/approvals`, { redirect: 'manual', headers: { cookie: `jml_console=${value}` } });
      expect(res.status, value.slice(0, 40)).toBe(303);
      expect(res.headers.get('location')).toBe('/console/sign-in?ended=1&next=%2Fconsole%2Fapprovals');
    }
  });

  it('after signing in, goes back to the page that asked for it, and never to another site', async () => {
    const asked = await fetch(`${engine.url}/console/evidence?x=1`, { redirect: 'manual' });
    const signInUrl = asked.headers.get('location')!;
    expect(signInUrl).toBe('/console/sign-in?next=%2Fconsole%2Fevidence%3Fx%3D1');
    expect(await (await fetch(`${engine.url}${signInUrl}`)).text()).toContain('name="next" value="/console/evidence?x=1"');
    const post = (next: string) =>
      fetch(`${engine.url}/console/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: engine.url }, body: new URLSearchParams({ token: auditorToken, next }).toString() });
    expect((await post('/console/evidence?x=1')).headers.get('location')).toBe('/console/evidence?x=1');
    for (const elsewhere of ['https://evil.example/console', '//evil.example/console', '/console//evil.example', '/console\\evil', '/consoleevil', '/api/approvals', '/console/sign-in']) {
      expect((await post(elsewhere)).headers.get('location'), elsewhere).toBe('/console');
    }
  });

  it('an auditor reads approvals but may not decide: 403 and the approval stays pending', async () => {
    const a = await pendingApproval();
    const page = await (await auditor.get('/console/approvals')).text();
    expect(page).toContain(a.approvalId);
    expect(page).toContain('Deciding needs an admin token');
    expect(page).not.toContain(`action="${decisionPath(a)}"`);
    const res = await auditor.post(decisionPath(a), { decision: 'approve' });
    expect(res.status).toBe(403);
    expect((await approvals.get(a.approvalId))?.status).toBe('pending');
  });

  it("refuses an admin's post without this session's CSRF token, or from another site: 403, nothing decided", async () => {
    const a = await pendingApproval();
    const page = await (await admin.get('/console/approvals')).text();
    expect(page).toContain(`action="${decisionPath(a)}"`);
    const otherSession = csrfOf(await (await (await signIn(engine.url, adminToken)).get('/console')).text());
    for (const [fields, headers] of [
      [{ decision: 'approve', _csrf: '' }, {}],
      [{ decision: 'approve', _csrf: otherSession }, {}],
      [{ decision: 'approve' }, { origin: 'https://evil.example' }],
      [{ decision: 'approve' }, { 'sec-fetch-site': 'same-site' }],
    ] as [Record<string, string>, Record<string, string>][]) {
      const res = await admin.post(decisionPath(a), fields, headers);
      expect(res.status, JSON.stringify([fields, headers])).toBe(403);
    }
    // Without a session at all, a post is 401 (not a redirect that could be followed).
    const anonymous = await fetch(`${engine.url}${decisionPath(a)}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: engine.url }, body: 'decision=approve' });
    expect(anonymous.status).toBe(401);
    expect((await approvals.get(a.approvalId))?.status).toBe('pending');
  });

  it('a rejection needs a reason; a decision the workflow cannot take is reported refused, never as done', async () => {
    const a = await pendingApproval();
    const noReason = await admin.post(decisionPath(a), { decision: 'reject', reason: '   ' });
    expect(noReason.status).toBe(303);
    expect(noReason.headers.get('location')).toBe(`/console/approvals?outcome=reason_required&id=${encodeURIComponent(a.approvalId)}`);
    // No workflow waits on this one (the store row was written by the test): Temporal says so.
    const approve = await admin.post(decisionPath(a), { decision: 'approve' });
    expect(approve.headers.get('location')).toBe(`/console/approvals?outcome=refused&id=${encodeURIComponent(a.approvalId)}`);
    const shown = await (await admin.get(approve.headers.get('location')!)).text();
    expect(shown).toContain('refused the decision');
    expect((await approvals.get(a.approvalId))?.status).toBe('pending');
    const unknown = await admin.post('/console/approvals/no-such-approval', { decision: 'approve' });
    expect(unknown.headers.get('location')).toBe('/console/approvals?outcome=not_found&id=no-such-approval');
  });

  it('links workflows to the Temporal UI named by JML_TEMPORAL_UI_URL', async () => {
    const a = await pendingApproval();
    const page = await (await admin.get('/console/approvals')).text();
    expect(page).toContain(`href="http://ui.test:8233/namespaces/default/workflows/${encodeURIComponent(a.workflowId)}"`);
  });

  it('signing out clears the cookie; a bad window is a 400 page that says why', async () => {
    const bad = await auditor.get('/console?from=2026-02-30&to=2026-03-01');
    expect(bad.status).toBe(400);
    const visitor = await signIn(engine.url, auditorToken);
    const out = await visitor.post('/console/sign-out', {});
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console/sign-in');
    expect(sessionCookieOf(out)).toMatch(/^jml_console=; Path=\/console; Max-Age=0; HttpOnly/);
  });
});
