/**
 * The console as a script sees it (no browser): sign in with a token, keep the session cookie,
 * read a page's CSRF token, post its forms. Redirects are not followed, so tests see them.
 */
export interface ConsoleVisitor {
  cookie: string;
  get(path: string): Promise<Response>;
  /** Posts a form as a page of the console would (same Origin, the page's CSRF token unless given). */
  post(path: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

export const sessionCookieOf = (res: Response): string | undefined => res.headers.getSetCookie().find((c) => c.startsWith('jml_console='));

export function signInRequest(base: string, token: string, headers: Record<string, string> = { origin: base }): Promise<Response> {
  return fetch(`${base}/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ token }).toString(),
  });
}

/** The `_csrf` value of the first form of a page. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('the page has no form with a CSRF token');
  return m[1]!;
}

export async function signIn(base: string, token: string): Promise<ConsoleVisitor> {
  const res = await signInRequest(base, token);
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  const cookie = sessionCookieOf(res)!.split(';')[0]!;
  const get = (path: string) => fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie } });
  return {
    cookie,
    get,
    async post(path, fields, headers = {}) {
      const csrf = fields._csrf ?? csrfOf(await (await get('/console')).text());
      return fetch(`${base}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, origin: base, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ ...fields, _csrf: csrf }).toString(),
      });
    },
  };
}
