import { describe, expect, it } from 'vitest';
import { accessSetFrom, desiredAccess, diffAccess, type AccessDiff, type AccessSet, type DesiredAccess, type Policy } from '../../../src/policy';

const birthright = { rule: 'birthright', approval: 'none' } as const;
const engineers = { rule: 'engineers', approval: 'none' } as const;
const sre = { rule: 'sre', approval: 'required' } as const;

describe('diffAccess', () => {
  it.each<[string, AccessSet, DesiredAccess, AccessDiff]>([
    ['nothing held, nothing desired', {}, [], { grants: [], revokes: [] }],
    [
      'new grants carry their sources and resolved approval',
      { okta: ['group:everyone'] },
      [
        { system: 'aws', entitlement: 'group:prod-admin', sources: [sre] },
        { system: 'github', entitlement: 'team:engineering', sources: [engineers] },
        { system: 'okta', entitlement: 'group:everyone', sources: [birthright] },
      ],
      {
        grants: [
          { system: 'aws', entitlement: 'group:prod-admin', sources: [sre], approval: 'required' },
          { system: 'github', entitlement: 'team:engineering', sources: [engineers], approval: 'none' },
        ],
        revokes: [],
      },
    ],
    [
      'held entitlements no longer desired are revoked',
      { okta: ['group:everyone', 'group:finance'] },
      [{ system: 'okta', entitlement: 'group:everyone', sources: [birthright] }],
      { grants: [], revokes: [{ system: 'okta', entitlement: 'group:finance' }] },
    ],
    [
      'unchanged access needs nothing',
      { okta: ['group:everyone'], github: ['team:engineering'] },
      [
        { system: 'github', entitlement: 'team:engineering', sources: [engineers, sre] },
        { system: 'okta', entitlement: 'group:everyone', sources: [birthright] },
      ],
      { grants: [], revokes: [] },
    ],
    [
      'a system only in current loses all its entitlements',
      { okta: ['group:everyone'], aws: ['group:prod-admin', 'group:billing'] },
      [{ system: 'okta', entitlement: 'group:everyone', sources: [birthright] }],
      {
        grants: [],
        revokes: [
          { system: 'aws', entitlement: 'group:billing' },
          { system: 'aws', entitlement: 'group:prod-admin' },
        ],
      },
    ],
    [
      'entitlements are compared exactly, per system',
      { okta: ['group:Admins'], scim: ['group:admins'] },
      [{ system: 'okta', entitlement: 'group:admins', sources: [birthright] }],
      { grants: [{ system: 'okta', entitlement: 'group:admins', sources: [birthright], approval: 'none' }], revokes: [{ system: 'okta', entitlement: 'group:Admins' }, { system: 'scim', entitlement: 'group:admins' }] },
    ],
    [
      'output is sorted by system then entitlement, and repeats are revoked once',
      { zoom: ['b', 'a'], aws: ['z', 'z', 'y'] },
      [
        { system: 'okta', entitlement: 'b', sources: [birthright] },
        { system: 'github', entitlement: 'x', sources: [birthright] },
        { system: 'okta', entitlement: 'a', sources: [birthright] },
      ],
      {
        grants: [
          { system: 'github', entitlement: 'x', sources: [birthright], approval: 'none' },
          { system: 'okta', entitlement: 'a', sources: [birthright], approval: 'none' },
          { system: 'okta', entitlement: 'b', sources: [birthright], approval: 'none' },
        ],
        revokes: [
          { system: 'aws', entitlement: 'y' },
          { system: 'aws', entitlement: 'z' },
          { system: 'zoom', entitlement: 'a' },
          { system: 'zoom', entitlement: 'b' },
        ],
      },
    ],
  ])('%s', (_case, current, desired, expected) => {
    expect(diffAccess(current, desired)).toEqual(expected);
  });

  it('keeps an entitlement granted by two rules when a move loses only one of them', () => {
    const policy: Policy = {
      birthright: [{ system: 'okta', entitlements: ['group:everyone'] }],
      rules: [
        { name: 'engineers', when: { department: 'Engineering' }, grant: [{ system: 'github', entitlements: ['team:engineering', 'team:eng-only'] }], approval: 'none' },
        { name: 'london', when: { location: 'London' }, grant: [{ system: 'github', entitlements: ['team:engineering'] }], approval: 'none' },
      ],
    };
    const before = desiredAccess(policy, { department: 'Engineering', location: 'London' });
    expect(before.find((i) => i.entitlement === 'team:engineering')?.sources).toHaveLength(2);

    const after = desiredAccess(policy, { department: 'Sales', location: 'London' });
    expect(diffAccess(accessSetFrom(before), after)).toEqual({ grants: [], revokes: [{ system: 'github', entitlement: 'team:eng-only' }] });
  });
});

describe('accessSetFrom', () => {
  it('groups desired entitlements per system, sorted and without repeats', () => {
    const desired: DesiredAccess = [
      { system: 'okta', entitlement: 'group:b', sources: [birthright] },
      { system: 'aws', entitlement: 'group:a', sources: [sre] },
      { system: 'okta', entitlement: 'group:a', sources: [birthright] },
      { system: 'okta', entitlement: 'group:a', sources: [engineers] },
    ];
    expect(accessSetFrom(desired)).toEqual({ aws: ['group:a'], okta: ['group:a', 'group:b'] });
    expect(accessSetFrom([])).toEqual({});
  });

  it('round-trips: desired access diffed against itself is empty', () => {
    const desired: DesiredAccess = [
      { system: 'aws', entitlement: 'group:a', sources: [sre] },
      { system: 'okta', entitlement: 'group:everyone', sources: [birthright] },
    ];
    expect(diffAccess(accessSetFrom(desired), desired)).toEqual({ grants: [], revokes: [] });
  });

  it('keeps an odd system id as an ordinary key', () => {
    const set = accessSetFrom([{ system: '__proto__', entitlement: 'group:x', sources: [birthright] }]);
    expect(Object.keys(set)).toEqual(['__proto__']);
    expect(diffAccess(set, [])).toEqual({ grants: [], revokes: [{ system: '__proto__', entitlement: 'group:x' }] });
  });
});
