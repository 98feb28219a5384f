import type { Request, RequestHandler, Response } from 'express';
import { cookieValue, sessionCookie, type ConsoleSession, type ConsoleSessions } from './session';
import { documentOf } from './pages/layout';
import { html } from 'htm/preact';

/**
 * What every console response carries: a Content-Security-Policy that allows only this origin
 * (no inline script or style, no frames, forms posting only here), no caching of pages, no
 * referrer sent to another site (same-origin: a browser sends `Origin: null` on a form post
 * under no-referrer, which the origin check would refuse), no MIME sniffing.
 */
export const consoleHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy':
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  next();
};

export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

/** The session this request carries (set by `signedIn`). */
export const sessionOf = (res: Response): ConsoleSession => res.locals.consoleSession as ConsoleSession;

/**
 * Needs a valid session cookie: a page asked without one goes to the sign-in form (told the
 * session ended when a cookie was there), anything else is answered 401.
 */
export function signedIn(sessions: ConsoleSessions): RequestHandler {
  return (req, res, next) => {
    const cookie = cookieValue(req.get('cookie'), sessionCookie);
    const session = sessions.read(cookie);
    if (session) {
      res.locals.consoleSession = session;
      next();
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const query = new URLSearchParams({ ...(cookie ? { ended: '1' } : {}), ...(req.originalUrl !== '/console' ? { next: req.originalUrl } : {}) }).toString();
      res.redirect(303, `/console/sign-in${query ? `?${query}` : ''}`);
      return;
    }
    messagePage(res, 401, 'Signed out', 'Your session has ended: sign in again, then repeat what you were doing.');
  };
}

/**
 * Where to go after signing in: a console page of this origin (the page that asked for the
 * sign-in), else the console's first page. Anything else (another host, `//`, a backslash) is ignored.
 */
export function returnPath(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000 || !/^\/console(?:[/?]|$)/.test(next) || /[\\\s]/.test(next) || next.includes('//') || next.startsWith('/console/sign-')) return '/console';
  return next;
}

/**
 * A form post must come from this origin: the Origin header (or Sec-Fetch-Site) when the
 * browser sends one, and, once signed in, the session's CSRF token in `_csrf`.
 */
export function sameOrigin(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = req.get('origin');
  if (origin === undefined) return true;
  return origin === `${req.protocol}://${req.get('host') ?? ''}`;
}

export function checkCsrf(sessions: ConsoleSessions): RequestHandler {
  return (req, res, next) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (!sameOrigin(req) || !sessions.csrfValid(sessionOf(res), body?._csrf)) {
      messagePage(res, 403, 'Refused', 'This form did not come from a page of this console, or the page is stale: reload it and try again. Nothing was changed.');
      return;
    }
    next();
  };
}

/** A short page that says what happened, with a way back. */
export function messagePage(res: Response, status: number, title: string, text: string): void {
  res
    .status(status)
    .type('html')
    .send(
      documentOf(
        title,
        html`<body class="sign-in">
          <main id="main">
            <h1>${title}</h1>
            <p role=${status >= 400 ? 'alert' : 'status'}>${text}</p>
            <p><a href="/console">Back to the console</a></p>
          </main>
        </body>`,
      ),
    );
}
