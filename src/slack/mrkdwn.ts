import type { ActionsBlock, ConfirmationDialog, ContextBlock, HeaderBlock, PlainTextElement, SectionBlock } from '@slack/types';

/** Block Kit limits (characters or items) the builders stay within. */
export const limits = {
  sectionText: 3000,
  contextText: 2000,
  header: 150,
  buttonText: 75,
  buttonValue: 2000,
  blockId: 255,
  modalTitle: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  placeholder: 150,
  contextElements: 10,
  messageBlocks: 50,
  /** The top-level `text` may be far longer, but it is what notifications show. */
  fallbackText: 3000,
} as const;

/** Longest raw HR-provided value shown inline before it is cut with an ellipsis. */
export const inlineMax = 200;

/** Cuts `value` to at most `max` UTF-16 units, ending in an ellipsis, never splitting a surrogate pair. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  if (max <= 1) return '…'.slice(0, max);
  let cut = max - 1;
  const last = value.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${value.slice(0, cut)}…`;
}

/** Escapes the three characters Slack mrkdwn treats as control characters. */
export function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Collapses line breaks, tabs and other control characters into single spaces. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

/** An untrusted value made safe for mrkdwn: one line, cut to `max` raw characters, escaped. */
export function esc(value: string, max: number = inlineMax): string {
  return escapeMrkdwn(truncate(oneLine(value), max));
}

/** An untrusted value shown as inline code. */
export function code(value: string, max: number = inlineMax): string {
  const shown = esc(value.replace(/`/g, 'ˋ'), max);
  return shown === '' ? '—' : `\`${shown}\``;
}

/**
 * Cuts already-built mrkdwn to `max` characters without leaving half an entity (`&am`) or half a
 * token (`<@U12`), so truncation can never turn escaped text back into markup.
 */
export function clampMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = truncate(text, max).slice(0, -1);
  const amp = head.lastIndexOf('&');
  if (amp > head.lastIndexOf(';')) head = head.slice(0, amp);
  const open = head.lastIndexOf('<');
  if (open > head.lastIndexOf('>')) head = head.slice(0, open);
  return `${head}…`;
}

const slackUserId = /^[UW][A-Z0-9]+$/;

export const isSlackUserId = (value: string): boolean => slackUserId.test(value);

/** `<@U123>` for a Slack user ID; anything else (e.g. `api:admin`) as escaped text. */
export function actor(value: string): string {
  return isSlackUserId(value) ? `<@${value}>` : esc(value, 100);
}

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const isoDate = /^\d{4}-\d{2}-\d{2}$/;

function parseIso(value: string): number | undefined {
  if (!isoDateTime.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM UTC` for an ISO timestamp, or undefined when it is not one. */
export function utc(value: string): string | undefined {
  const ms = parseIso(value);
  if (ms === undefined) return undefined;
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** A time for plain fallback text: `YYYY-MM-DD HH:MM UTC`, a bare date as is, else the escaped value. */
/** A moment to the second, `HH:MM:SS UTC` (for SLA timings on the day of the message); unparseable text is escaped. */
export function clockTime(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? esc(value, 100) : `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

export function plainTime(value: string): string {
  if (isoDate.test(value)) return value;
  return utc(value) ?? esc(value, 100);
}

/**
 * A time for mrkdwn: `YYYY-MM-DD HH:MM UTC` followed by Slack's date token, which each reader sees
 * in their own time zone. A bare date is shown as is; anything unparseable is shown escaped.
 */
export function when(value: string): string {
  if (isoDate.test(value)) return value;
  const ms = parseIso(value);
  const shown = utc(value);
  if (ms === undefined || shown === undefined) return esc(value, 100);
  return `${shown} (<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${shown}>)`;
}

/** Seconds from `from` to `to`, or undefined when either is not an ISO timestamp. */
export function secondsBetween(from: string, to: string): number | undefined {
  const a = parseIso(from);
  const b = parseIso(to);
  return a === undefined || b === undefined ? undefined : (b - a) / 1000;
}

/** `12.3 s`; `unknown` for a missing value. */
export function seconds(value: number | undefined): string {
  return value === undefined ? 'unknown' : `${value.toFixed(1)} s`;
}

export const plain = (text: string, max: number): PlainTextElement => ({ type: 'plain_text', text: truncate(text, max), emoji: true });

export const header = (text: string): HeaderBlock => ({ type: 'header', text: plain(text, limits.header) });

export const section = (mrkdwn: string): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clampMrkdwn(mrkdwn, limits.sectionText) },
});

export const context = (...mrkdwn: string[]): ContextBlock => ({
  type: 'context',
  elements: mrkdwn.slice(0, limits.contextElements).map((text) => ({ type: 'mrkdwn', text: clampMrkdwn(text, limits.contextText) })),
});

/** Packs lines into as few sections as fit the section text limit, at most `maxBlocks` of them. */
export function sections(lines: string[], maxBlocks: number): SectionBlock[] {
  const texts: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = clampMrkdwn(raw, limits.sectionText);
    if (current !== '' && current.length + 1 + line.length > limits.sectionText) {
      texts.push(current);
      current = line;
    } else {
      current = current === '' ? line : `${current}\n${line}`;
    }
  }
  if (current !== '') texts.push(current);
  if (texts.length > maxBlocks) {
    const dropped = texts.length - maxBlocks + 1;
    texts.splice(maxBlocks - 1, texts.length, `_…and ${dropped} more section(s) not shown._`);
  }
  return texts.map(section);
}

/** The top-level `text` of a message: already-escaped mrkdwn, cut to the fallback limit. */
export const fallback = (text: string): string => clampMrkdwn(text, limits.fallbackText);

/** Up to `max` items joined with `sep`, then `+N more`. */
export function listOf(items: string[], max: number, sep = ', '): string {
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  return more > 0 ? `${shown.join(sep)}${sep}+${more} more` : shown.join(sep);
}

/** A decision's two buttons (the first primary, the second danger) on one ID, within Slack's limits. */
export function decisionButtons(
  blockId: string,
  id: string,
  yes: { actionId: string; text: string },
  no: { actionId: string; text: string; confirm?: ConfirmationDialog },
): ActionsBlock {
  const value = truncate(id, limits.buttonValue);
  return {
    type: 'actions',
    block_id: truncate(blockId, limits.blockId),
    elements: [
      { type: 'button', action_id: yes.actionId, value, style: 'primary', text: plain(yes.text, limits.buttonText) },
      { type: 'button', action_id: no.actionId, value, style: 'danger', text: plain(no.text, limits.buttonText), ...(no.confirm ? { confirm: no.confirm } : {}) },
    ],
  };
}
