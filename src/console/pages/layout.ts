import { html } from 'htm/preact';
import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { ConsoleSession } from '../session';

/** What every signed-in page knows: who is signed in, the CSRF token for its forms, where the Temporal UI is. */
export interface PageContext {
  session: ConsoleSession;
  csrf: string;
  temporalUi?: TemporalUi;
}

export interface TemporalUi {
  url: string;
  namespace: string;
}

export type Section = 'timeliness' | 'approvals' | 'reviews' | 'evidence';

const sections: { id: Section; href: string; label: string }[] = [
  { id: 'timeliness', href: '/console', label: 'Offboarding timeliness' },
  { id: 'approvals', href: '/console/approvals', label: 'Approvals' },
  { id: 'reviews', href: '/console/reviews', label: 'Access reviews' },
  { id: 'evidence', href: '/console/evidence', label: 'Evidence' },
];

/** A whole HTML document; preact escapes every value put into it. */
export function documentOf(title: string, body: VNode, scripts: string[] = []): string {
  return (
    '<!doctype html>' +
    renderToString(html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>${title} · JML Engine</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/console/assets/console.css" />
        ${scripts.map((src) => html`<script src=${src} defer></script>`)}
      </head>
      ${body}
    </html>`)
  );
}

/** A signed-in page: skip link, navigation with the current section marked, sign-out form, then the content. */
export function signedInPage(ctx: PageContext, section: Section, title: string, content: ComponentChildren, scripts: string[] = []): string {
  const who = ctx.session.name ? `${ctx.session.name} (${ctx.session.role})` : ctx.session.role;
  return documentOf(
    title,
    html`<body>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">JML Engine</span>
        <nav aria-label="Console">
          <ul>
            ${sections.map((s) => html`<li><a href=${s.href} aria-current=${s.id === section ? 'page' : undefined}>${s.label}</a></li>`)}
          </ul>
        </nav>
        <form method="post" action="/console/sign-out" class="sign-out">
          <input type="hidden" name="_csrf" value=${ctx.csrf} />
          <span>Signed in as ${who}</span>
          <button type="submit">Sign out</button>
        </form>
      </header>
      <main id="main" tabindex="-1">
        <h1>${title}</h1>
        ${content}
      </main>
    </body>`,
    scripts,
  );
}

/** A link to a workflow in the Temporal UI, or its ID as text when the UI's address is not known. */
export function workflowLink(ui: TemporalUi | undefined, workflowId: string, label: string = workflowId): VNode {
  if (!ui) return html`<code>${workflowId}</code>`;
  const href = `${ui.url}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return html`<a href=${href} rel="noopener noreferrer" target="_blank">${label}</a>`;
}

/** A notice at the top of a page: role=status for news, role=alert for a problem. */
export function notice(kind: 'ok' | 'problem', text: string): VNode {
  return html`<p class=${`notice ${kind}`} role=${kind === 'ok' ? 'status' : 'alert'}>${text}</p>`;
}

export const formatTime = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
