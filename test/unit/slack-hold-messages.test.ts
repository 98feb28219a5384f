import { describe, expect, it } from 'vitest';
import type { ActionsBlock, KnownBlock } from '@slack/types';
import { abortHoldActionId, holdBlockId, releaseHoldActionId } from '../../src/slack/ids';
import { holdDecidedMessage, holdReminderMessage, holdRequestMessage, refusedHoldClickText, type HoldMessageInput } from '../../src/slack/messages';

const input: HoldMessageInput = {
  holdId: 'hold-bamboohr-3',
  hrSource: 'bamboohr',
  members: 3,
  threshold: 25,
  thresholdText: '25',
  windowMs: 3_600_000,
  openedAt: '2026-12-02T01:00:00.000Z',
  holdSessionKills: false,
  employeeIds: ['4501', '4502', '4503'],
};

const actionsOf = (blocks: KnownBlock[]) => blocks.filter((b): b is ActionsBlock => b.type === 'actions');

describe('mass-termination hold messages', () => {
  it('the request carries Release all and Abort (with a confirmation) for the hold, and says what each does', () => {
    const m = holdRequestMessage(input);
    const [actions] = actionsOf(m.blocks);
    expect(actions!.block_id).toBe(holdBlockId(input.holdId));
    const buttons = actions!.elements as { action_id: string; value: string; confirm?: unknown; style?: string }[];
    expect(buttons.map((b) => [b.action_id, b.value, b.style])).toEqual([
      [releaseHoldActionId, input.holdId, 'primary'],
      [abortHoldActionId, input.holdId, 'danger'],
    ]);
    expect(buttons[1]!.confirm).toBeDefined();
    const body = JSON.stringify(m.blocks);
    expect(body).toContain('`4502`');
    expect(body).toContain('more than 25 terminations (25) within 1 h');
    expect(body).toContain('sessions were ended at once');
    expect(m.text).toContain('hold-bamboohr-3');
  });

  it('with holdSessionKills the message says nothing has been done yet', () => {
    expect(JSON.stringify(holdRequestMessage({ ...input, holdSessionKills: true }).blocks)).toContain('Nothing has been done for them yet');
  });

  it('reminders are numbered; the escalation mentions whom it escalates to; both keep the buttons', () => {
    const reminder = holdReminderMessage(input, { at: '2026-12-02T01:15:00.000Z', count: 2 });
    expect(reminder.text).toMatch(/^Reminder/);
    expect(JSON.stringify(reminder.blocks)).toContain('Reminder #2');
    const escalation = holdReminderMessage(input, { at: '2026-12-02T02:00:00.000Z', count: 0, escalateTo: ['U0SECLEAD'] });
    expect(escalation.text).toMatch(/^Escalated/);
    expect(JSON.stringify(escalation.blocks)).toContain('<@U0SECLEAD>');
    for (const m of [reminder, escalation]) expect(actionsOf(m.blocks)).toHaveLength(1);
  });

  it('the decided message has no buttons and escapes the reason', () => {
    const m = holdDecidedMessage(input, { decision: 'abort', decidedBy: 'api:admin', decidedAt: '2026-12-02T01:20:00.000Z', reason: '<!channel> wrong import' });
    expect(actionsOf(m.blocks)).toHaveLength(0);
    const body = JSON.stringify(m.blocks);
    expect(body).not.toContain('<!channel>');
    expect(body).toContain('accounts stay enabled');
    expect(m.text).toContain('aborted by api:admin');
  });

  it('a hold of thousands lists a few IDs and stays within Block Kit limits', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `E${i}`);
    const m = holdRequestMessage({ ...input, members: 5000, employeeIds: ids });
    for (const block of m.blocks) if (block.type === 'section') expect(block.text!.text.length).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(m.blocks)).toContain('…');
  });

  it('refusals explain themselves', () => {
    expect(refusedHoldClickText('already_decided', { status: 'released', decidedBy: 'U1' })).toBe('This hold is already released by U1; your click changed nothing.');
    expect(refusedHoldClickText('not_a_decider')).toMatch(/not one of the people/);
    expect(refusedHoldClickText('unknown_hold')).toMatch(/not known/);
  });
});
