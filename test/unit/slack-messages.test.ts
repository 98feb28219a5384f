import { describe, expect, it } from 'vitest';
import type { ActionsBlock, KnownBlock } from '@slack/types';
import { approvalBlockId, approveActionId, reasonActionId, reasonBlockId, rejectActionId, rejectReasonCallbackId } from '../../src/slack/ids';
import {
  approvalCancelledMessage,
  approvalDecidedMessage,
  approvalEscalationMessage,
  approvalExpiredMessage,
  approvalReminderMessage,
  approvalRequestMessage,
  joinerProvisionedMessage,
  leaverFinishedMessage,
  refusedClickText,
  rejectReasonModal,
  slaBreachAlert,
  type ApprovalMessageInput,
  type MessageContent,
} from '../../src/slack/messages';

const base: ApprovalMessageInput = {
  approvalId: 'appr-7f3a',
  worker: { employeeId: 'E1042', hrSource: 'bamboohr', name: 'Ada Lovelace', jobTitle: 'SRE', department: 'Engineering', email: 'ada@acme.test' },
  system: 'aws',
  entitlement: 'group:prod-admin',
  rules: ['rules[1] (SRE)'],
  hrEvent: { eventId: 'evt-99', kind: 'hire', effectiveDate: '2026-12-01' },
  expiresAt: '2026-12-04T14:03:27Z',
  approverRole: 'manager',
};

const evil = '<!channel> <https://evil.example|click> & <@U0BOSS>';
const malicious: ApprovalMessageInput = {
  ...base,
  worker: { employeeId: 'E1042', hrSource: 'bamboohr', name: evil, jobTitle: '<!here>', department: '<!everyone>', email: '<mailto:x@evil|x>' },
  system: '<#C123>',
  entitlement: '<!subteam^S1>',
  rules: ['<https://evil.example>'],
  hrEvent: { eventId: '<@U0X>', kind: 'change', effectiveDate: '<!channel>' },
};

interface TextObject {
  type: string;
  text: string;
}

/** Every text object (plain_text or mrkdwn) anywhere in a block tree. */
function textObjects(node: unknown): TextObject[] {
  if (Array.isArray(node)) return node.flatMap(textObjects);
  if (node === null || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  const own = (o.type === 'plain_text' || o.type === 'mrkdwn') && typeof o.text === 'string' ? [{ type: o.type, text: o.text }] : [];
  return [...own, ...Object.values(o).flatMap(textObjects)];
}

const mrkdwnOf = (m: MessageContent) => [m.text, ...textObjects(m.blocks).filter((t) => t.type === 'mrkdwn').map((t) => t.text)];
const allText = (m: MessageContent) => [m.text, ...textObjects(m.blocks).map((t) => t.text)].join('\n');
const actionsBlocks = (m: MessageContent) => m.blocks.filter((b): b is ActionsBlock => b.type === 'actions');

/** mrkdwn holds no markup but the tokens the builders add themselves, and no half entities. */
function expectSafeMrkdwn(text: string) {
  const ours = /<@[UW][A-Z0-9]+>|<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*>/g;
  const rest = text.replace(ours, '');
  expect(rest, text).not.toMatch(/[<>]/);
  expect(rest.replace(/&(amp|lt|gt);/g, ''), text).not.toContain('&');
}

const pendingBuilders: [string, (i: ApprovalMessageInput) => MessageContent][] = [
  ['request', (i) => approvalRequestMessage(i)],
  ['reminder', (i) => approvalReminderMessage(i, { remindedAt: '2026-12-02T14:03:00Z', count: 2 })],
  ['escalation', (i) => approvalEscalationMessage(i, { escalatedAt: '2026-12-03T14:03:00Z', originalApprovers: ['U0MGR', 'not-an-id'] })],
];

const closedBuilders: [string, (i: ApprovalMessageInput) => MessageContent][] = [
  ['approved', (i) => approvalDecidedMessage(i, { decision: 'approved', decidedBy: 'U123', decidedAt: '2026-12-01T14:03:00Z' })],
  ['rejected', (i) => approvalDecidedMessage(i, { decision: 'rejected', decidedBy: 'api:admin', decidedAt: '2026-12-01T14:03:00Z', reason: evil })],
  ['expired', (i) => approvalExpiredMessage(i, { expiredAt: '2026-12-04T14:03:27Z' })],
  ['cancelled', (i) => approvalCancelledMessage(i, { at: '2026-11-30T09:00:00Z', reason: `hire rescinded ${evil}` })],
];

const leaver = {
  employeeId: 'E1042',
  hrSource: 'workday',
  terminationEffectiveAt: '2026-12-01T17:00:00Z',
  clockStartAt: '2026-12-01T18:00:00.000Z',
  sessionsKilledAt: '2026-12-01T18:00:12.340Z',
  accessRevokedAt: '2026-12-01T18:01:05.260Z',
  slaSeconds: 60,
  withinSla: true,
  systems: [
    { system: 'okta', sessions: 'success', disabled: 'success', entitlements: 'success' },
    { system: 'github', sessions: 'skipped', disabled: 'success', entitlements: 'failure' },
  ],
};

const notificationBuilders: [string, (name: string) => MessageContent][] = [
  ['leaver finished', (name) => leaverFinishedMessage({ ...leaver, systems: [...leaver.systems, { system: name, sessions: name, disabled: 'success', entitlements: 'success' }] })],
  ['sla breach', (name) => slaBreachAlert({ employeeId: 'E1042', hrSource: 'workday', budgetMs: 60_000, clockStartAt: leaver.clockStartAt, at: '2026-12-01T18:01:00Z', pendingSystems: ['okta', name] })],
  [
    'joiner provisioned',
    (name) =>
      joinerProvisionedMessage({
        employeeId: 'E1042',
        hrSource: 'bamboohr',
        name,
        startAt: '2026-12-01T08:00:00Z',
        systems: [{ system: 'okta', granted: ['group:everyone', name] }],
        pendingApprovals: [{ system: name, entitlement: name }],
      }),
  ],
];

describe('approval request buttons', () => {
  it.each(pendingBuilders)('%s carries Approve and Reject with the approval ID and exact action IDs', (_, build) => {
    const actions = actionsBlocks(build(base));
    expect(actions).toHaveLength(1);
    const [block] = actions as [ActionsBlock];
    expect(block.block_id).toBe(approvalBlockId('appr-7f3a'));
    expect(block.block_id).toBe('jml_approval:appr-7f3a');
    expect(block.elements).toEqual([
      expect.objectContaining({ type: 'button', action_id: approveActionId, value: 'appr-7f3a', style: 'primary', text: expect.objectContaining({ text: 'Approve' }) }),
      expect.objectContaining({ type: 'button', action_id: rejectActionId, value: 'appr-7f3a', style: 'danger', text: expect.objectContaining({ text: 'Reject' }) }),
    ]);
    expect([approveActionId, rejectActionId]).toEqual(['jml_approve', 'jml_reject']);
  });

  it.each(closedBuilders)('%s has no actions block and no button', (_, build) => {
    const m = build(base);
    expect(actionsBlocks(m)).toEqual([]);
    expect(JSON.stringify(m.blocks)).not.toContain('"button"');
  });
});

describe('approval request content', () => {
  it('says who, which access, which rule, which HR event, when it expires and why the reader is asked', () => {
    const m = approvalRequestMessage(base);
    const all = allText(m);
    expect(m.blocks[0]).toEqual({ type: 'header', text: expect.objectContaining({ type: 'plain_text', text: 'Access approval needed' }) });
    for (const part of ['Ada Lovelace', 'SRE', 'Engineering', 'E1042', 'bamboohr', 'group:prod-admin', 'aws', 'rules[1] (SRE)', 'Hire', '2026-12-01', 'evt-99']) {
      expect(all).toContain(part);
    }
    const unix = Math.floor(Date.parse(base.expiresAt) / 1000);
    expect(all).toContain('2026-12-04 14:03 UTC');
    expect(all).toContain(`<!date^${unix}^{date_short_pretty} {time}|2026-12-04 14:03 UTC>`);
    expect(all).toMatch(/manager/);
    expect(allText(approvalRequestMessage({ ...base, approverRole: 'fallback' }))).toMatch(/fallback approver/);
    expect(m.text).toMatch(/^Access approval needed: Ada Lovelace .*group:prod-admin in aws.*2026-12-04 14:03 UTC/);
  });

  it('reminder is prefixed and escalation names who was asked first', () => {
    expect(approvalReminderMessage(base, { remindedAt: '2026-12-02T14:03:00Z', count: 2 }).text).toMatch(/^Reminder: /);
    const esc = approvalEscalationMessage({ ...base, approverRole: 'fallback' }, { escalatedAt: '2026-12-03T14:03:00Z', originalApprovers: ['U0MGR'] });
    expect(allText(esc)).toContain('<@U0MGR> was asked first and did not answer');
    expect(esc.text).toContain('<@U0MGR>');
  });

  it('decidedBy is a mention for a Slack user ID and plain text otherwise', () => {
    const bySlack = approvalDecidedMessage(base, { decision: 'approved', decidedBy: 'U123', decidedAt: '2026-12-01T14:03:00Z' });
    expect(allText(bySlack)).toContain('✅ Approved by <@U123> at 2026-12-01 14:03 UTC');
    const byApi = approvalDecidedMessage(base, { decision: 'rejected', decidedBy: 'api:admin', decidedAt: '2026-12-01T14:03:00Z', reason: 'not needed' });
    expect(allText(byApi)).toContain('❌ Rejected by api:admin at 2026-12-01 14:03 UTC');
    expect(allText(byApi)).toContain('reason: not needed');
    expect(allText(byApi)).not.toContain('<@api');
    const byEvil = approvalDecidedMessage(base, { decision: 'approved', decidedBy: '<!channel>', decidedAt: '2026-12-01T14:03:00Z' });
    expect(allText(byEvil)).toContain('by &lt;!channel&gt;');
  });

  it('expired and cancelled say access is not granted', () => {
    expect(allText(approvalExpiredMessage(base, { expiredAt: '2026-12-04T14:03:27Z' }))).toContain('⌛ Expired at 2026-12-04 14:03 UTC');
    expect(allText(approvalExpiredMessage(base, { expiredAt: '2026-12-04T14:03:27Z' }))).toContain('access not granted');
    expect(allText(approvalCancelledMessage(base, { at: '2026-11-30T09:00:00Z', reason: 'hire rescinded' }))).toContain('hire rescinded');
  });
});

describe('escaping of HR-provided strings', () => {
  it.each([...pendingBuilders, ...closedBuilders])('%s cannot ping or link', (_, build) => {
    const m = build(malicious);
    for (const text of mrkdwnOf(m)) expectSafeMrkdwn(text);
    expect(allText(m)).toContain('&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; &lt;@U0BOSS&gt;');
    for (const raw of ['<!channel>', '<!here>', '<!everyone>', '<https://', '<@U0BOSS>', '<@U0X>', '<#C123>', '<!subteam', '<mailto:']) {
      expect(allText(m)).not.toContain(raw);
    }
  });

  it.each(notificationBuilders)('%s cannot ping or link', (_, build) => {
    const m = build(evil);
    for (const text of mrkdwnOf(m)) expectSafeMrkdwn(text);
    expect(allText(m)).not.toContain('<!channel>');
    expect(allText(m)).not.toContain('<@U0BOSS>');
  });

  it('refusal texts escape their details', () => {
    expectSafeMrkdwn(refusedClickText('already_decided', { status: '<!channel>', decidedBy: '<https://evil|x>' }));
  });
});

describe('Block Kit limits', () => {
  const huge = 'x'.repeat(5000);
  const ampHuge = '&'.repeat(5000);
  const hugeInput: ApprovalMessageInput = {
    ...base,
    approvalId: 'a'.repeat(300),
    worker: { employeeId: 'E1042', hrSource: huge, name: huge, jobTitle: huge, department: ampHuge, email: huge },
    system: huge,
    entitlement: ampHuge,
    rules: Array.from({ length: 50 }, () => huge),
    hrEvent: { eventId: huge, kind: 'terminate', effectiveDate: huge },
  };

  function expectWithinLimits(m: MessageContent) {
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    expect(m.text.length).toBeLessThanOrEqual(3000);
    expectSafeMrkdwn(m.text);
    for (const block of m.blocks as KnownBlock[]) {
      if (block.block_id !== undefined) expect(block.block_id.length).toBeLessThanOrEqual(255);
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
      if (block.type === 'section') {
        if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
        if (block.text?.type === 'mrkdwn') expectSafeMrkdwn(block.text.text);
        expect((block.fields ?? []).length).toBeLessThanOrEqual(10);
      }
      if (block.type === 'context') {
        expect(block.elements.length).toBeLessThanOrEqual(10);
        for (const t of textObjects(block.elements)) expect(t.text.length).toBeLessThanOrEqual(2000);
      }
      if (block.type === 'actions') {
        for (const el of block.elements) {
          if (el.type !== 'button') continue;
          expect(el.text.text.length).toBeLessThanOrEqual(75);
          expect((el.value ?? '').length).toBeLessThanOrEqual(2000);
        }
      }
    }
  }

  it.each([...pendingBuilders, ...closedBuilders])('%s stays within limits for 5000-character values', (_, build) => {
    expectWithinLimits(build(hugeInput));
  });

  it.each(notificationBuilders)('%s stays within limits for 5000-character values', (_, build) => {
    expectWithinLimits(build(huge));
    expectWithinLimits(build(ampHuge));
  });

  it.each([0, 1, 2, 3, 4])('truncation never leaves half an entity (offset %i)', (offset) => {
    const m = approvalRequestMessage({ ...base, worker: { ...base.worker, name: 'x'.repeat(offset) }, rules: Array.from({ length: 10 }, () => ampHuge) });
    expectWithinLimits(m);
    expect(m.blocks.some((b) => b.type === 'section' && b.text?.text.endsWith('…'))).toBe(true);
  });

  it('a leaver with hundreds of systems still fits in one message', () => {
    const systems = Array.from({ length: 400 }, (_, n) => ({ system: `${n}${huge}`, sessions: 'success', disabled: 'failure', entitlements: 'skipped' }));
    expectWithinLimits(leaverFinishedMessage({ ...leaver, systems }));
  });
});

describe('reject reason modal', () => {
  it('has the callback, metadata, buttons and the reason input', () => {
    const view = rejectReasonModal({ approvalId: 'appr-7f3a', privateMetadata: '{"a":1}', summary: `Reject ${evil}?` });
    expect(view.type).toBe('modal');
    expect(view.callback_id).toBe(rejectReasonCallbackId);
    expect(view.private_metadata).toBe('{"a":1}');
    expect(view.title.text).toBe('Reject access');
    expect(view.submit?.text).toBe('Reject');
    expect(view.close?.text).toBe('Cancel');
    for (const t of [view.title, view.submit, view.close]) expect(t?.text.length).toBeLessThanOrEqual(24);
    expect(textObjects(view.blocks).some((t) => t.type === 'plain_text' && t.text.includes('Reject <!channel>'))).toBe(true);
    const input = view.blocks.find((b) => b.type === 'input');
    expect(input).toMatchObject({
      type: 'input',
      block_id: reasonBlockId,
      element: { type: 'plain_text_input', action_id: reasonActionId, multiline: true, min_length: 3, max_length: 500 },
    });
    expect([reasonBlockId, reasonActionId, rejectReasonCallbackId]).toEqual(['reason', 'reason_input', 'jml_reject_reason']);
  });

  it('refuses private metadata longer than Slack keeps', () => {
    expect(() => rejectReasonModal({ approvalId: 'a', privateMetadata: 'x'.repeat(3001), summary: 's' })).toThrow(RangeError);
  });
});

describe('refused click texts', () => {
  it('explains each refusal differently', () => {
    const reasons = ['not_an_approver', 'self_approval', 'already_decided', 'expired', 'unknown_approval'] as const;
    const texts = reasons.map((r) => refusedClickText(r));
    for (const t of texts) expect(t.length).toBeGreaterThan(10);
    expect(new Set(texts).size).toBe(reasons.length);
    expect(refusedClickText('already_decided', { status: 'approved', decidedBy: 'U0ITLEAD' })).toContain('already approved by <@U0ITLEAD>');
    expect(refusedClickText('already_decided', { status: 'rejected', decidedBy: 'api:admin' })).toContain('already rejected by api:admin');
  });
});

describe('leaver and joiner notifications', () => {
  it('leaver message gives seconds from the clock start, the SLA and per-system outcomes', () => {
    const m = leaverFinishedMessage(leaver);
    const all = allText(m);
    expect(m.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Leaver offboarded' } });
    expect(all).toContain('*12.3 s* after the clock started');
    expect(all).toContain('*65.3 s* after the clock started');
    expect(all).toContain('*SLA:* 60 s — ✅ met');
    const lines = all.split('\n');
    expect(lines.find((l) => l.includes('*okta*'))).toBe('*okta*: sessions ✅ · account disabled ✅ · entitlements ✅');
    expect(lines.find((l) => l.includes('*github*'))).toBe('*github*: sessions ➖ · account disabled ✅ · entitlements ⚠️');
    expect(m.text).toContain('Sessions killed in 12.3 s, access revoked in 65.3 s');
    expect(m.text).toContain('1 step(s) failed');

    const missed = leaverFinishedMessage({ ...leaver, withinSla: false });
    expect(missed.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Leaver offboarded — SLA missed' } });
    expect(allText(missed)).toContain('❌ missed');
  });

  it('leaver message says how and when each system ended its sessions, and flags an account that vanished', () => {
    const m = leaverFinishedMessage({
      ...leaver,
      systems: [
        { system: 'okta', sessions: 'success', disabled: 'success', entitlements: 'success', sessionsEndedBy: 'killed', sessionsEndedAt: '2026-12-01T18:00:01.200Z' },
        { system: 'aws', sessions: 'not_found', disabled: 'not_found', entitlements: 'not_found', sessionsEndedBy: 'not_found', sessionsEndedAt: '2026-12-01T18:00:02Z', vanished: true },
      ],
    });
    const lines = allText(m).split('\n');
    expect(lines.find((l) => l.includes('*okta*'))).toBe('*okta*: sessions ✅ (killed at 18:00:01 UTC) · account disabled ✅ · entitlements ✅');
    const aws = lines.find((l) => l.includes('*aws*'));
    expect(aws).toContain('sessions ∅ (not_found at 18:00:02 UTC)');
    expect(aws).toContain('an account the engine knew of is gone');
    expect(allText(m)).toContain('∅ no account');
  });

  it('SLA breach alert names the budget and the pending systems', () => {
    const m = slaBreachAlert({ employeeId: 'E1042', hrSource: 'workday', budgetMs: 60_000, clockStartAt: leaver.clockStartAt, at: '2026-12-01T18:01:00Z', pendingSystems: ['okta', 'github'] });
    expect(m.text).toMatch(/^🚨 Leaver SLA breach: sessions for employee E1042 \(workday\) not killed within 60 s/);
    expect(allText(m)).toContain('*Still pending:* `okta`, `github`');
    const noPending = slaBreachAlert({ employeeId: 'E1042', hrSource: 'workday', budgetMs: 1500, clockStartAt: leaver.clockStartAt, at: '2026-12-01T18:01:00Z' });
    expect(noPending.text).toContain('within 1.5 s');
    expect(allText(noPending)).not.toContain('Still pending');
  });

  it('joiner message lists what was granted per system and what awaits approval', () => {
    const m = joinerProvisionedMessage({
      employeeId: 'E1042',
      hrSource: 'bamboohr',
      name: 'Ada Lovelace',
      startAt: '2026-12-01T08:00:00Z',
      systems: [
        { system: 'okta', granted: ['group:everyone'] },
        { system: 'github', granted: ['team:engineering', 'team:sre'] },
      ],
      pendingApprovals: [{ system: 'aws', entitlement: 'group:prod-admin' }],
    });
    const all = allText(m);
    expect(all).toContain('*Ada Lovelace*');
    expect(all).toContain('2026-12-01 08:00 UTC');
    expect(all).toContain('*okta*: `group:everyone`');
    expect(all).toContain('*github*: `team:engineering`, `team:sre`');
    expect(all).toContain('`group:prod-admin` in *aws*');
    expect(m.text).toContain('Ada Lovelace (employee E1042, bamboohr) starts 2026-12-01 08:00 UTC');
    expect(m.text).toContain('1 still await(s) approval');
    const none = joinerProvisionedMessage({ employeeId: 'E1042', hrSource: 'bamboohr', startAt: '2026-12-01', systems: [], pendingApprovals: [] });
    expect(allText(none)).toContain('Nothing: all access is in place.');
  });
});

describe('fallback text', () => {
  const all: [string, MessageContent][] = [
    ...[...pendingBuilders, ...closedBuilders].map(([name, build]): [string, MessageContent] => [name, build(base)]),
    ...notificationBuilders.map(([name, build]): [string, MessageContent] => [name, build('okta')]),
    ['joiner without a name', joinerProvisionedMessage({ employeeId: 'E1042', hrSource: 'bamboohr', startAt: '2026-12-01', systems: [], pendingApprovals: [] })],
  ];

  it.each(all)('%s has a non-empty fallback naming the employee ID', (_, m) => {
    expect(m.text.trim()).not.toBe('');
    expect(m.text).toContain('E1042');
  });
});
