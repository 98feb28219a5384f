import { html } from 'htm/preact';
import { documentOf, notice } from './layout';

export type SignInProblem = 'bad_token' | 'expired' | 'no_tokens' | 'bad_request';

const problemText: Record<SignInProblem, string> = {
  bad_token: 'That token is not an auditor or admin token of this engine.',
  expired: 'Your session has ended: sign in again.',
  no_tokens: 'No API token is configured (JML_API_TOKENS), so nobody can sign in.',
  bad_request: 'The sign-in form could not be read: try again from this page.',
};

/** The sign-in form: one token field; the token is exchanged for a session cookie and never stored in the browser. */
export function signInPage(problem?: SignInProblem, next = '/console'): string {
  return documentOf(
    'Sign in',
    html`<body class="sign-in">
      <main id="main">
        <h1>JML Engine console</h1>
        <p>Offboarding timeliness, approvals and evidence, for auditors and IT.</p>
        ${problem ? notice('problem', problemText[problem]) : null}
        <form method="post" action="/console/sign-in">
          ${next !== '/console' ? html`<input type="hidden" name="next" value=${next} />` : null}
          <label for="token">API token (auditor or admin)</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
          <button type="submit">Sign in</button>
        </form>
      </main>
    </body>`,
  );
}
