import { describe, expect, it } from 'vitest';
import type { OptionalAbility } from '../../../src/connectors/types';
import type { WorkerAttributes } from '../../../src/hris/hr-event';
import type { Policy } from '../../../src/policy';
import { applyOverrides } from '../../../src/preview/overrides';
import { planPreview, type PreviewEvent, type SystemPreview } from '../../../src/preview/plan';
import type { AccountSummary, SystemReading } from '../../../src/preview/reading';

const policy: Policy = {
  birthright: [{ system: 'okta', entitlements: ['group:staff'] }],
  rules: [
    { name: 'engineering', when: { department: 'Engineering' }, grant: [{ system: 'aws', entitlements: ['group:engineering'] }], approval: 'none' },
    { name: 'sales', when: { department: 'Sales' }, grant: [{ system: 'aws', entitlements: ['group:sales'] }], approval: 'none' },
    { name: 'sre', when: { jobTitle: '/SRE/' }, grant: [{ system: 'aws', entitlements: ['group:prod-admin'] }], approval: 'required' },
  ],
};

const allAbilities: OptionalAbility[] = ['createAccount', 'enableAccount', 'killSessions'];
const active = (id: string): AccountSummary => ({ id, status: 'active' });

function read(system: string, account: AccountSummary | null, entitlements: string[] = [], abilities = allAbilities): SystemReading {
  return { system, abilities, state: 'read', account, entitlements };
}
const nobody = (system: string) => read(system, null);
const noLogin = (system: string): SystemReading => ({ system, abilities: allAbilities, state: 'no_login' });
const failed = (system: string): SystemReading => ({ system, abilities: allAbilities, state: 'failed', error: { code: 'unavailable', message: 'aws: 503' } });

/** One system's plan as short lines, so each case reads as what an operator would see. */
function steps(s: SystemPreview): string[] {
  return [
    ...(s.createAccount ? ['create account'] : []),
    ...s.grants.map((g) => `grant ${g.entitlement} [${g.rules.join(',')}]`),
    ...s.approvals.map((g) => `approval ${g.entitlement} [${g.rules.join(',')}]`),
    ...(s.killSessions ? ['kill sessions'] : []),
    ...(s.disableAccount ? ['disable account'] : []),
    ...s.revokes.map((e) => `revoke ${e}`),
    ...(s.error ? [`error ${s.error.code}`] : []),
  ];
}

const engineer: WorkerAttributes = { workEmail: 'ann@acme.test', department: 'Engineering', jobTitle: 'Engineer' };
const sre: WorkerAttributes = { ...engineer, jobTitle: 'SRE' };

describe('planPreview', () => {
  it.each<[string, PreviewEvent, WorkerAttributes, SystemReading[], Record<string, string[]>]>([
    [
      'hire, no accounts yet: creates where policy gives access, grants, asks approval for gated access',
      'hire',
      sre,
      [nobody('okta'), nobody('aws'), nobody('github')],
      {
        okta: ['create account', 'grant group:staff [birthright]'],
        aws: ['create account', 'grant group:engineering [engineering]', 'approval group:prod-admin [sre]'],
        github: [],
      },
    ],
    [
      'hire with existing accounts: only what is not held yet, and never a revoke',
      'hire',
      engineer,
      [read('okta', active('o1'), ['group:staff']), read('aws', active('a1'), ['group:sales', 'group:hand-made'])],
      { okta: [], aws: ['grant group:engineering [engineering]'] },
    ],
    [
      'change: grants the new role, revokes only managed access the new role does not give',
      'change',
      { ...engineer, department: 'Sales' },
      [read('okta', active('o1'), ['group:staff', 'group:hand-made']), read('aws', active('a1'), ['group:engineering', 'group:hand-made'])],
      { okta: [], aws: ['grant group:sales [sales]', 'revoke group:engineering'] },
    ],
    [
      'change: approved access still desired stays; nothing asked again',
      'change',
      sre,
      [read('okta', active('o1'), ['group:staff']), read('aws', active('a1'), ['group:engineering', 'group:prod-admin'])],
      { okta: [], aws: [] },
    ],
    [
      'change: an account missing in a system the new role reaches is created',
      'change',
      engineer,
      [read('okta', active('o1'), ['group:staff']), nobody('aws')],
      { okta: [], aws: ['create account', 'grant group:engineering [engineering]'] },
    ],
    [
      'terminate: every account has sessions killed, is disabled, loses everything it holds',
      'terminate',
      engineer,
      [read('okta', active('o1'), ['group:staff', 'group:hand-made']), read('aws', active('a1'), ['group:engineering'], ['createAccount']), nobody('github')],
      {
        okta: ['kill sessions', 'disable account', 'revoke group:hand-made', 'revoke group:staff'],
        aws: ['disable account', 'revoke group:engineering'],
        github: [],
      },
    ],
    [
      'no work email: nothing can be matched or created',
      'hire',
      { department: 'Engineering' },
      [noLogin('okta'), noLogin('aws')],
      { okta: [], aws: [] },
    ],
    [
      'a system that could not be read is left out, the others still planned',
      'change',
      engineer,
      [read('okta', active('o1'), []), failed('aws')],
      { okta: ['grant group:staff [birthright]'], aws: ['error unavailable'] },
    ],
  ])('%s', (_name, event, worker, readings, expected) => {
    const plan = planPreview({ event, policy, worker, readings });
    expect(Object.fromEntries(plan.systems.map((s) => [s.system, steps(s)]))).toEqual(expected);
    const count = Object.values(expected).flat().filter((line) => !line.startsWith('error')).length;
    expect(plan.steps).toBe(count);
    expect(plan.complete).toBe(!readings.some((r) => r.state === 'failed'));
  });

  it('applies overrides before the policy: a department override moves access', () => {
    const readings = [read('okta', active('o1'), ['group:staff']), read('aws', active('a1'), ['group:engineering'])];
    const worker = applyOverrides(engineer, { department: 'Sales', jobTitle: 'SRE' });
    const plan = planPreview({ event: 'change', policy, worker, readings });
    expect(plan.systems.map(steps)).toEqual([[], ['grant group:sales [sales]', 'approval group:prod-admin [sre]', 'revoke group:engineering']]);
  });

  it('on a rehire asks approval again for everything beyond birthright', () => {
    const readings = [read('okta', { id: 'o1', status: 'suspended' }, []), read('aws', { id: 'a1', status: 'suspended' }, [])];
    const plan = planPreview({ event: 'hire', policy, worker: engineer, readings, rehire: true });
    expect(plan.systems.map(steps)).toEqual([['grant group:staff [birthright]'], ['approval group:engineering [engineering]']]);
    // A change is not a rehire, whatever the flag says.
    expect(planPreview({ event: 'change', policy, worker: engineer, readings, rehire: true }).systems[1]?.grants).toHaveLength(1);
  });

  it('says why where it does nothing or cannot', () => {
    const terminated = planPreview({
      event: 'terminate',
      policy,
      worker: engineer,
      readings: [read('aws', { id: 'a1', status: 'suspended' }, [], ['createAccount']), noLogin('okta')],
    });
    expect(terminated.systems[0]?.notes).toEqual(['no session kill in this system; access ends when the account is disabled', 'the account is already suspended']);
    expect(terminated.systems[1]?.notes[0]).toMatch(/no work email/);

    const hired = planPreview({ event: 'hire', policy, worker: engineer, readings: [read('aws', null, [], [])] });
    expect(hired.systems[0]?.notes).toEqual(['this connector cannot create accounts: the step would fail']);
  });
});
