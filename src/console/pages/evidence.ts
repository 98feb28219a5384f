import { html } from 'htm/preact';
import type { CheckpointStatus } from '../../evidence/checkpoints/status';
import type { VerifyResult } from '../../evidence/types';
import { formatTime, notice, signedInPage, type PageContext } from './layout';

/** How many of the problems found the page lists (the count is always given). */
const problemsShown = 20;

/** The evidence chain as verified just now, and the latest signed checkpoint against it. */
export function evidencePage(ctx: PageContext, chain: VerifyResult, checkpoints: CheckpointStatus, verifiedAt: Date): string {
  const ok = chain.ok && checkpoints.ok;
  const content = html`
    ${ok
      ? notice('ok', `The evidence chain is intact: ${chain.checked} event(s) checked${chain.head ? `, head at seq ${chain.head.seq}` : ''}.`)
      : notice('problem', `The evidence chain failed verification: ${chain.problemCount} problem(s) in the chain${checkpoints.ok ? '' : ', and the latest checkpoint does not match'}.`)}
    <dl class="summary" id="verification">
      <div><dt>Verified</dt><dd>${formatTime(verifiedAt.toISOString())}</dd></div>
      <div><dt>Events checked</dt><dd data-field="checked">${chain.checked}</dd></div>
      <div><dt>Head</dt><dd>${chain.head ? html`seq ${chain.head.seq}, <code>${chain.head.hash}</code>` : 'no events yet'}</dd></div>
      <div><dt>Latest checkpoint</dt><dd data-field="checkpoint">${checkpoints.latest ? html`seq ${checkpoints.latest.seq}, signed ${formatTime(checkpoints.latest.at)} by <code>${checkpoints.latest.keyId}</code>: ${checkpoints.ok ? 'matches' : 'does not match'}` : 'none published yet'}</dd></div>
      ${chain.pruned ? html`<div><dt>Pruned</dt><dd>${chain.pruned.rows} event(s) through seq ${chain.pruned.throughSeq} (kept from ${formatTime(chain.pruned.keptFrom)})</dd></div>` : null}
    </dl>
    ${checkpoints.problem ? html`<p>${checkpoints.problem}</p>` : null}
    ${chain.problems.length > 0
      ? html`<h2>Problems${chain.problemCount > problemsShown ? ` (first ${problemsShown} of ${chain.problemCount})` : ''}</h2>
          <ul id="problems">${chain.problems.slice(0, problemsShown).map((p) => html`<li>seq ${p.seq}: ${p.problem}: ${p.detail}</li>`)}</ul>`
      : null}
    <p>This is the database's own view. The proof an auditor keeps is <code>jml evidence verify --checkpoints DIR</code> against what the checkpoint sinks received, or the evidence package (downloaded from the timeliness page) checked offline with <code>jml evidence verify --package DIR</code>.</p>
  `;
  return signedInPage(ctx, 'evidence', 'Evidence verification', content);
}
