import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { applyDecision, type ApprovalDecider, type DecisionResult } from '../approvals/apply-decision';
import type { ApprovalStore } from '../approvals/store';
import type { ApiTokens } from '../api/auth';
import { maxReasonLength } from '../api/approval-routes';
import type { Database } from '../db/database';
import type { EvidenceStore } from '../evidence/store';
import { checkpointStatus } from '../evidence/checkpoints/status';
import { loadOffboardingReport, parseReportWindow, ReportError } from '../reports/report-cli';
import { consoleAsset } from './assets';
import { downloadRouter } from './downloads';
import { checkCsrf, consoleHeaders, messagePage, noStore, returnPath, sameOrigin, sessionOf, signedIn } from './guard';
import { approvalsPage, isDecisionOutcome, type DecisionOutcome } from './pages/approvals';
import { evidencePage } from './pages/evidence';
import type { PageContext, TemporalUi } from './pages/layout';
import { signInPage } from './pages/sign-in';
import { timelinessPage, type TimelinessView } from './pages/timeliness';
import { ConsoleSessions, sessionCookieHeader } from './session';
import { mountReviewPages, type ReviewPageDeps } from './review-pages';

export interface ConsoleDeps {
  db: Database;
  evidence: EvidenceStore;
  tokens: ApiTokens;
  approvals: ApprovalStore;
  decide: ApprovalDecider;
  /** Where workflows link to; absent: their IDs are shown as text. */
  temporalUi?: TemporalUi;
  /** Access reviews: campaigns, items to decide, the campaign report. */
  reviews?: ReviewPageDeps;
  now?: () => Date;
}

/** The default window: the last 30 days, today included (UTC). */
const defaultDays = 30;
const formBody = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

/**
 * `/console`: the auditors' and IT's pages, signed in with an auditor or admin API token.
 * Every page reads the same sources as the CLI and the API (the offboarding report, the
 * approvals store, the evidence chain); an admin's decision goes the API's way (the waiting
 * workflow, then the store) and is reported only as a fresh read shows it.
 */
export function consoleRouter(deps: ConsoleDeps): Router {
  const router = express.Router();
  const sessions = new ConsoleSessions(deps.tokens);
  const now = deps.now ?? (() => new Date());
  const auth = signedIn(sessions);
  const csrf = checkCsrf(sessions);
  const context = (res: express.Response): PageContext => {
    const session = sessionOf(res);
    return { session, csrf: sessions.csrfToken(session), ...(deps.temporalUi ? { temporalUi: deps.temporalUi } : {}) };
  };

  router.use('/console', consoleHeaders);

  router.get('/console/assets/:name', (req, res) => {
    const asset = consoleAsset(req.params.name);
    if (!asset) return messagePage(res, 404, 'Not found', 'There is no such file in the console.');
    res.set('Cache-Control', 'public, max-age=3600').type(asset.contentType).send(asset.body);
  });

  router.get('/console/sign-in', noStore, (req, res) => {
    if (sessions.closed) return void res.status(401).type('html').send(signInPage('no_tokens'));
    res.type('html').send(signInPage(req.query.ended ? 'expired' : undefined, returnPath(req.query.next)));
  });

  router.post('/console/sign-in', noStore, formBody, (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    const token = body?.token;
    const next = returnPath(body?.next);
    if (!sameOrigin(req)) return void res.status(403).type('html').send(signInPage('bad_request'));
    const opened = typeof token === 'string' && token.length > 0 && token.length <= 1024 ? sessions.open(token) : undefined;
    if (!opened) {
      // A 401, so repeated guesses from one address are refused like the API's (auth-failures.ts).
      res.status(401).type('html').send(signInPage(sessions.closed ? 'no_tokens' : 'bad_token', next));
      return;
    }
    res.set('Set-Cookie', sessionCookieHeader(opened.cookie, req.secure)).redirect(303, next);
  });

  router.post('/console/sign-out', noStore, auth, formBody, csrf, (req, res) => {
    res.set('Set-Cookie', sessionCookieHeader('', req.secure, 0)).redirect(303, '/console/sign-in');
  });

  router.get('/console', noStore, auth, async (req, res) => {
    const view = windowOf(req.query, now());
    let status = 200;
    try {
      view.report = await loadOffboardingReport(deps.db, parseReportWindow(view.from, view.to), now());
    } catch (err) {
      if (!(err instanceof ReportError)) throw err;
      view.problem = err.message;
      status = 400;
    }
    res.status(status).type('html').send(timelinessPage(context(res), view));
  });

  router.get('/console/approvals', noStore, auth, async (req, res) => {
    const { outcome, id } = req.query;
    const last = isDecisionOutcome(outcome) && typeof id === 'string' && id.length <= 200 ? { outcome, id } : undefined;
    res.type('html').send(approvalsPage(context(res), await deps.approvals.pending(), last));
  });

  const adminOnly: RequestHandler = (_req, res, next) => {
    if (sessionOf(res).role === 'admin') return next();
    messagePage(res, 403, 'Not allowed', 'Deciding an approval needs an admin token. Nothing was changed.');
  };

  router.post('/console/approvals/:id', noStore, auth, formBody, csrf, adminOnly, async (req, res) => {
    const id = req.params.id as string;
    const body = req.body as Record<string, unknown>;
    const decision = body.decision;
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    const back = (outcome: DecisionOutcome) => res.redirect(303, `/console/approvals?outcome=${outcome}&id=${encodeURIComponent(id)}`);
    if ((decision !== 'approve' && decision !== 'reject') || reason.length > maxReasonLength) return back('bad_decision');
    if (decision === 'reject' && !reason) return back('reason_required');
    const result = await applyDecision(deps.approvals, deps.decide, id, { decision, ...(reason ? { reason } : {}), decidedBy: sessionOf(res).actor, via: 'api' });
    back(outcomeOf(result));
  });

  if (deps.reviews) mountReviewPages(router, deps.reviews, { auth, csrf, adminOnly, formBody, context });

  router.get('/console/evidence', noStore, auth, async (_req, res) => {
    const chain = await deps.evidence.verify();
    const checkpoints = await checkpointStatus(deps.db, chain.head?.seq ?? 0);
    res.type('html').send(evidencePage(context(res), chain, checkpoints, now()));
  });

  router.use('/console/downloads', noStore, auth, downloadRouter({ db: deps.db, now }));

  router.use('/console', (_req, res) => messagePage(res, 404, 'Not found', 'There is no such page in the console.'));

  const answerError: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    const status = typeof err === 'object' && err && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status >= 500 || res.headersSent) return next(err);
    messagePage(res, status, 'Refused', status === 413 ? 'That form was too large. Nothing was changed.' : 'That request could not be read. Nothing was changed.');
  };
  router.use('/console', answerError);
  return router;
}

function outcomeOf(result: DecisionResult): DecisionOutcome {
  switch (result.kind) {
    case 'recorded':
      return result.status === 'approved' ? 'approved' : 'rejected';
    case 'accepted':
      return 'accepted';
    case 'already_decided':
      return 'already_decided';
    case 'refused':
      return 'refused';
    case 'not_found':
      return 'not_found';
  }
}

/** The window asked for, or the default one; checked when the report is read. */
function windowOf(query: Record<string, unknown>, now: Date): TimelinessView {
  const today = now.toISOString().slice(0, 10);
  const start = new Date(Date.parse(today) - (defaultDays - 1) * 86_400_000).toISOString().slice(0, 10);
  const pick = (v: unknown, fallback: string) => (typeof v === 'string' && v !== '' && v.length <= 40 ? v : fallback);
  return { from: pick(query.from, start), to: pick(query.to, today) };
}
