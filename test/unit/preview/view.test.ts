import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/policy';
import { accessView } from '../../../src/preview/view';

const policy: Policy = {
  birthright: [{ system: 'okta', entitlements: ['group:staff'] }],
  rules: [
    { name: 'engineering', when: { department: 'Engineering' }, grant: [{ system: 'aws', entitlements: ['group:engineering'] }], approval: 'none' },
    { name: 'sales', when: { department: 'Sales' }, grant: [{ system: 'aws', entitlements: ['group:sales'] }], approval: 'none' },
    { name: 'sre', when: { jobTitle: 'SRE' }, grant: [{ system: 'aws', entitlements: ['group:prod-admin'] }], approval: 'required' },
  ],
};

describe('accessView', () => {
  it('sets desired against provisioned: missing, and extra only within what the policy manages', () => {
    const view = accessView(policy, { department: 'Engineering', jobTitle: 'SRE' }, [
      { system: 'okta', abilities: [], state: 'read', account: { id: 'o1', status: 'active' }, entitlements: ['group:staff', 'group:hand-made'] },
      { system: 'aws', abilities: [], state: 'read', account: { id: 'a1', status: 'active' }, entitlements: ['group:sales', 'group:engineering'] },
      { system: 'github', abilities: [], state: 'read', account: null, entitlements: [] },
    ]);
    expect(view).toEqual([
      {
        system: 'okta',
        account: { id: 'o1', status: 'active' },
        desired: [{ entitlement: 'group:staff', rules: ['birthright'], approvalRequired: false }],
        provisioned: ['group:hand-made', 'group:staff'],
        missing: [],
        extra: [],
      },
      {
        system: 'aws',
        account: { id: 'a1', status: 'active' },
        desired: [
          { entitlement: 'group:engineering', rules: ['engineering'], approvalRequired: false },
          { entitlement: 'group:prod-admin', rules: ['sre'], approvalRequired: true },
        ],
        provisioned: ['group:engineering', 'group:sales'],
        missing: ['group:prod-admin'],
        extra: ['group:sales'],
      },
      { system: 'github', account: null, desired: [], provisioned: [], missing: [], extra: [] },
    ]);
  });

  it('leaves provisioned, missing and extra unknown (null) when a system was not read', () => {
    const [failed, noLogin] = accessView(policy, { department: 'Sales' }, [
      { system: 'aws', abilities: [], state: 'failed', error: { code: 'unauthorized', message: 'aws: 401' } },
      { system: 'okta', abilities: [], state: 'no_login' },
    ]);
    expect(failed).toMatchObject({ provisioned: null, missing: null, extra: null, readError: { code: 'unauthorized' } });
    expect(failed?.desired.map((d) => d.entitlement)).toEqual(['group:sales']);
    expect(noLogin).toMatchObject({ account: null, provisioned: null, readError: { code: 'no_login' } });
  });
});
