import { describe, expect, it } from 'vitest';
import { managedEntitlements, type Policy } from '../../../src/policy';

describe('managedEntitlements', () => {
  it('lists each entitlement the policy can give, once, per system', () => {
    const policy: Policy = {
      birthright: [{ system: 'okta', entitlements: ['group:staff'] }],
      rules: [
        { when: { department: 'Engineering' }, grant: [{ system: 'aws', entitlements: ['group:eng', 'group:staff'] }], approval: 'none' },
        { when: { jobTitle: '/SRE/' }, grant: [{ system: 'aws', entitlements: ['group:eng'] }, { system: 'okta', entitlements: ['group:oncall'] }], approval: 'required' },
      ],
    };
    expect(managedEntitlements(policy)).toEqual({ okta: ['group:oncall', 'group:staff'], aws: ['group:eng', 'group:staff'] });
  });
});
