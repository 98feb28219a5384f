import { describe, expect, it } from 'vitest';
import type { WorkerAttributes } from '../../../src/hris/hr-event';
import { compileMatcher, desiredAccess, needsApproval, validatePolicy, type Policy, type PolicyRule } from '../../../src/policy';

type RuleInput = Omit<PolicyRule, 'approval'> & Partial<Pick<PolicyRule, 'approval'>>;

function rule(input: RuleInput): PolicyRule {
  return { approval: 'none', ...input };
}

function policy(rules: RuleInput[], birthright: Policy['birthright'] = []): Policy {
  return { birthright, rules: rules.map(rule) };
}

const everyone: Policy['birthright'] = [{ system: 'okta', entitlements: ['group:everyone'] }];
const probe = { system: 'github', entitlements: ['team:probe'] };

/** Whether a single rule with this `when` applies to the worker. */
function matches(when: PolicyRule['when'], worker: WorkerAttributes): boolean {
  return desiredAccess(policy([{ when, grant: [probe] }]), worker).length === 1;
}

describe('desiredAccess', () => {
  it('gives everyone the birthright, even a worker with no attributes', () => {
    const design = policy(
      [
        { when: { department: 'Engineering' }, grant: [{ system: 'github', entitlements: ['team:engineering'] }] },
        { when: { jobTitle: '/SRE|Site Reliability/' }, grant: [{ system: 'aws', entitlements: ['group:prod-admin'] }], approval: 'required' },
      ],
      everyone,
    );
    expect(desiredAccess(design, {})).toEqual([{ system: 'okta', entitlement: 'group:everyone', sources: [{ rule: 'birthright', approval: 'none' }] }]);
    expect(desiredAccess(design, { department: 'Finance', jobTitle: 'Accountant' })).toHaveLength(1);
  });

  it.each<[string, PolicyRule['when'], WorkerAttributes, boolean]>([
    ['department exact', { department: 'Engineering' }, { department: 'Engineering' }, true],
    ['department ignoring case and whitespace', { department: 'Engineering' }, { department: '  ENGINEERING ' }, true],
    ['department matcher written with whitespace', { department: ' engineering ' }, { department: 'Engineering' }, true],
    ['department exact is not a substring test', { department: 'Engineering' }, { department: 'Engineering Ops' }, false],
    ['department another value', { department: 'Engineering' }, { department: 'Finance' }, false],
    ['jobTitle regex, first alternative', { jobTitle: '/SRE|Site Reliability/' }, { jobTitle: 'Senior SRE' }, true],
    ['jobTitle regex, second alternative', { jobTitle: '/SRE|Site Reliability/' }, { jobTitle: 'Site Reliability Engineer' }, true],
    ['jobTitle regex is case-sensitive without i', { jobTitle: '/SRE|Site Reliability/' }, { jobTitle: 'senior sre' }, false],
    ['jobTitle regex with the i flag', { jobTitle: '/sre/i' }, { jobTitle: 'Senior SRE' }, true],
    ['jobTitle anchored regex tests the trimmed value', { jobTitle: '/^SRE$/' }, { jobTitle: ' SRE ' }, true],
    ['jobTitle regex not matching', { jobTitle: '/SRE|Site Reliability/' }, { jobTitle: 'Software Engineer' }, false],
    ['list, any item', { department: ['Sales', 'Marketing'] }, { department: 'marketing' }, true],
    ['list, no item', { department: ['Sales', 'Marketing'] }, { department: 'Finance' }, false],
    ['list mixing exact and regex', { jobTitle: ['Manager', '/^Head of /'] }, { jobTitle: 'Head of Data' }, true],
    ['all keys present and matching', { department: 'Engineering', location: 'London' }, { department: 'Engineering', location: 'london' }, true],
    ['one key of two not matching', { department: 'Engineering', location: 'London' }, { department: 'Engineering', location: 'Paris' }, false],
    ['one key of two missing', { department: 'Engineering', location: 'London' }, { department: 'Engineering' }, false],
    ['missing attribute, even for a match-anything regex', { jobTitle: '/.*/' }, { department: 'Engineering' }, false],
    ['blank attribute counts as missing', { jobTitle: '/.*/' }, { jobTitle: '   ' }, false],
    ['empty when matches everyone', {}, {}, true],
  ])('%s', (_case, when, worker, expected) => {
    expect(matches(when, worker)).toBe(expected);
  });

  it('applies every matching rule in order and merges overlaps into one item with each source', () => {
    const overlapping = policy(
      [
        { name: 'engineers', when: { department: 'Engineering' }, grant: [{ system: 'github', entitlements: ['team:engineering', 'team:all'] }] },
        { when: { location: 'London' }, grant: [{ system: 'github', entitlements: ['team:engineering'] }], approval: 'required' },
        { name: 'never', when: { department: 'Finance' }, grant: [{ system: 'github', entitlements: ['team:engineering'] }] },
      ],
      everyone,
    );
    expect(desiredAccess(overlapping, { department: 'Engineering', location: 'London' })).toEqual([
      { system: 'github', entitlement: 'team:all', sources: [{ rule: 'engineers', approval: 'none' }] },
      {
        system: 'github',
        entitlement: 'team:engineering',
        sources: [
          { rule: 'engineers', approval: 'none' },
          { rule: 'rules[1]', approval: 'required' },
        ],
      },
      { system: 'okta', entitlement: 'group:everyone', sources: [{ rule: 'birthright', approval: 'none' }] },
    ]);
  });

  it('counts a rule that lists the same entitlement twice as one source', () => {
    const repeated = policy([{ when: {}, grant: [{ system: 'aws', entitlements: ['group:a', 'group:a'] }, { system: 'aws', entitlements: ['group:a'] }] }]);
    expect(desiredAccess(repeated, {})).toEqual([{ system: 'aws', entitlement: 'group:a', sources: [{ rule: 'rules[0]', approval: 'none' }] }]);
  });

  it('sorts by system, then entitlement, whatever the config order', () => {
    const unordered = policy([{ when: {}, grant: [{ system: 'okta', entitlements: ['group:b', 'group:a'] }, { system: 'aws', entitlements: ['group:z'] }] }]);
    expect(desiredAccess(unordered, {}).map((i) => `${i.system}/${i.entitlement}`)).toEqual(['aws/group:z', 'okta/group:a', 'okta/group:b']);
  });
});

describe('approval', () => {
  const adminGrant = [{ system: 'aws', entitlements: ['group:prod-admin'] }];

  it.each<[string, Policy, boolean]>([
    ['birthright plus an approval rule needs none', policy([{ when: {}, grant: adminGrant, approval: 'required' }], adminGrant), false],
    ['only an approval rule needs approval', policy([{ when: {}, grant: adminGrant, approval: 'required' }]), true],
    ['two approval rules need approval', policy([{ when: {}, grant: adminGrant, approval: 'required' }, { when: {}, grant: adminGrant, approval: 'required' }]), true],
    ['an approval rule plus a rule without approval needs none', policy([{ when: {}, grant: adminGrant, approval: 'required' }, { when: {}, grant: adminGrant }]), false],
    ['a rule without approval needs none', policy([{ when: {}, grant: adminGrant }]), false],
  ])('%s', (_case, given, expected) => {
    const [item] = desiredAccess(given, {});
    expect(item).toBeDefined();
    expect(needsApproval(item!)).toBe(expected);
  });

  it('fails closed on an item with no sources', () => {
    expect(needsApproval({ sources: [] })).toBe(true);
  });
});

describe('validatePolicy', () => {
  const grant = [probe];

  it('accepts a valid policy', () => {
    const valid = policy([
      { name: 'eng', when: { department: 'Engineering' }, grant },
      { when: { jobTitle: ['/SRE|Site Reliability/', '/sre/i'] }, grant, approval: 'required' },
    ]);
    expect(validatePolicy(valid)).toEqual([]);
  });

  it.each<[string, RuleInput[], { path: string; message: RegExp }[]]>([
    [
      'an invalid regex, at its rule and key',
      [{ when: {}, grant }, { when: { department: 'Engineering' }, grant }, { when: { jobTitle: '/SRE(/' }, grant }],
      [{ path: 'policy.rules.2.when.jobTitle', message: /"\/SRE\(\/" is not a valid regular expression/ }],
    ],
    [
      'an invalid regex inside a list, at its position',
      [{ when: { location: ['London', '/[/'] }, grant }],
      [{ path: 'policy.rules.0.when.location.1', message: /not a valid regular expression/ }],
    ],
    ['an invalid flag', [{ when: { jobTitle: '/sre/q' }, grant }], [{ path: 'policy.rules.0.when.jobTitle', message: /not a valid regular expression/ }]],
    ['a stateful flag', [{ when: { jobTitle: '/sre/g' }, grant }], [{ path: 'policy.rules.0.when.jobTitle', message: /flags g and y/ }]],
    ['a missing closing slash', [{ when: { division: '/Platform' }, grant }], [{ path: 'policy.rules.0.when.division', message: /no closing "\/"/ }]],
    ['an empty regex', [{ when: { division: '//' }, grant }], [{ path: 'policy.rules.0.when.division', message: /empty regular expression/ }]],
    [
      'a duplicate rule name',
      [{ name: 'eng', when: {}, grant }, { name: 'ops', when: {}, grant }, { name: ' eng ', when: {}, grant }],
      [{ path: 'policy.rules.2.name', message: /duplicate rule name "eng" \(also policy\.rules\.0\)/ }],
    ],
    [
      'reserved rule names',
      [{ name: 'birthright', when: {}, grant }, { name: 'rules[0]', when: {}, grant }],
      [
        { path: 'policy.rules.0.name', message: /reserved/ },
        { path: 'policy.rules.1.name', message: /reserved/ },
      ],
    ],
  ])('reports %s', (_case, rules, expected) => {
    const problems = validatePolicy(policy(rules));
    expect(problems.map((p) => p.path)).toEqual(expected.map((e) => e.path));
    problems.forEach((problem, i) => expect(problem.message).toMatch(expected[i]!.message));
  });
});

describe('compileMatcher', () => {
  it('throws a message that names the text', () => {
    expect(() => compileMatcher('/SRE(/')).toThrow('"/SRE(/" is not a valid regular expression');
  });

  it('makes desiredAccess refuse a policy that skipped validation', () => {
    expect(() => desiredAccess(policy([{ when: { jobTitle: '/(/' }, grant: [probe] }]), { jobTitle: 'x' })).toThrow(/not a valid regular expression/);
  });

  it('gives the same answer on every call, whatever came before', () => {
    const test = compileMatcher('/sre/i');
    expect([test('SRE'), test('SRE'), test('SRE')]).toEqual([true, true, true]);
  });
});
