import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfigFile, parseEnv } from '../../src/config/load';
import { matchByFields } from '../../src/connectors/catalog';

describe('configuration', () => {
  it('parses the shipped example with durations in milliseconds', async () => {
    const cfg = parseConfigFile(await readFile('jml.config.example.yaml', 'utf8'), 'jml.config.example.yaml');
    expect(cfg.sla.leaverSessionKill).toBe(60_000);
    expect(cfg.sla.leaverFullRevoke).toBe(900_000);
    expect(cfg.systems.map((s) => s.id)).toEqual(['okta', 'aws']);
    expect(cfg.leaver.cutoffLocalTime).toBe('18:00');
    expect(cfg.joiner.startLocalTime).toBe('00:00');
  });

  it("the example's commented systems, taken in, are valid entries of every other type", async () => {
    const text = (await readFile('jml.config.example.yaml', 'utf8')).replace(/^ {2}# - /gm, '  - ').replace(/^ {2}# {5}/gm, '      ');
    const cfg = parseConfigFile(text, 'jml.config.example.yaml');
    expect(cfg.systems.map((s) => s.type)).toEqual(['okta', 'scim', 'google-workspace', 'microsoft-graph', 'slack-admin', 'github']);
  });

  it('applies defaults to an empty file', () => {
    const cfg = parseConfigFile('', 'x.yaml');
    expect(cfg.sla.leaverSessionKill).toBe(60_000);
    expect(cfg.systems).toEqual([]);
    expect(cfg.joiner).toEqual({ provisionLeadTime: 259_200_000, startLocalTime: '00:00' });
  });

  it('reconciles orphan accounts daily unless told otherwise (0s: never)', () => {
    expect(parseConfigFile('', 'x.yaml').orphans).toEqual({ every: 86_400_000 });
    expect(parseConfigFile('orphans: { every: 12h }', 'x.yaml').orphans).toEqual({ every: 43_200_000 });
    expect(parseConfigFile('orphans: { every: 0s }', 'x.yaml').orphans).toEqual({ every: 0 });
  });

  it('reads the joiner local start time as HH:MM or HH:MM:SS', () => {
    expect(parseConfigFile('joiner: { startLocalTime: "09:00" }', 'x.yaml').joiner).toEqual({ provisionLeadTime: 259_200_000, startLocalTime: '09:00' });
    expect(parseConfigFile('joiner: { provisionLeadTime: 1d, startLocalTime: "08:30:15" }', 'x.yaml').joiner).toEqual({ provisionLeadTime: 86_400_000, startLocalTime: '08:30:15' });
  });

  it('defaults the Workday block: signed webhooks, user "workday", a 5 minute window, Workday\'s own process names', () => {
    expect(parseConfigFile('', 'x.yaml').hris.workday).toEqual({
      pollEvery: 900_000,
      webhookGrace: 120_000,
      businessProcesses: {},
      webhookAuth: 'signature',
      webhookUsername: 'workday',
      signatureWindow: 300_000,
    });
  });

  it('reads the Workday webhook keys and the tenant\'s own process names per kind', () => {
    const text = [
      'hris:',
      '  workday:',
      '    webhookAuth: basic',
      '    webhookUsername: ISU_JML',
      '    signatureWindow: 2m',
      '    businessProcesses:',
      '      hire: ["Hire Employee", "Contract Contingent Worker"]',
      '      terminate: [" Terminate Employee "]',
      '      rescind: []',
    ].join('\n');
    expect(parseConfigFile(text, 'x.yaml').hris.workday).toEqual({
      pollEvery: 900_000,
      webhookGrace: 120_000,
      webhookAuth: 'basic',
      webhookUsername: 'ISU_JML',
      signatureWindow: 120_000,
      businessProcesses: { hire: ['Hire Employee', 'Contract Contingent Worker'], terminate: ['Terminate Employee'], rescind: [] },
    });
  });

  it.each([
    ['sla: { leaverSessionKill: soon }', 'x.yaml: sla.leaverSessionKill: not a duration'],
    ['leaver: { cutoffLocalTime: "25:00" }', 'x.yaml: leaver.cutoffLocalTime: must be HH:MM'],
    ['joiner: { startLocalTime: "9am" }', 'x.yaml: joiner.startLocalTime: must be HH:MM or HH:MM:SS (24h)'],
    ['joiner: { startLocalTime: "08:30:60" }', 'x.yaml: joiner.startLocalTime: must be HH:MM or HH:MM:SS (24h)'],
    ['joiner: { startLocalTime: 830 }', 'x.yaml: joiner.startLocalTime'],
    ['systems: [{ id: a, type: okta, baseUrl: nope, tokenEnv: T }]', 'x.yaml: systems.0.baseUrl'],
    ['policy: { birthright: [{ system: ghost, entitlements: ["group:x"] }] }', 'x.yaml: policy.birthright.0.system: unknown system "ghost"'],
    [
      'systems: [{ id: a, type: okta, baseUrl: "https://a", tokenEnv: T }]\npolicy: { rules: [{ when: { department: Eng }, grant: [{ system: a, entitlements: ["group:x", "team:eng"] }] }] }',
      'x.yaml: policy.rules.0.grant.0.entitlements.1: system "a" (okta) cannot grant team: entitlements (it grants group:<name>)',
    ],
    ['systems: [{ id: a, type: scim, baseUrl: "https://a", tokenEnv: T }]\npolicy: { birthright: [{ system: a, entitlements: ["everyone"] }] }', 'x.yaml: policy.birthright.0.entitlements.0: "everyone" is not kind:name'],
    ['slaa: {}', 'x.yaml: (root): Unrecognized key'],
    ['hris: { bamboohr: { webhookGrace: later } }', 'x.yaml: hris.bamboohr.webhookGrace: not a duration'],
    [
      'systems: [{ id: a, type: okta, baseUrl: "https://a", tokenEnv: T }]\npolicy: { rules: [{ when: { jobTitle: "/SRE(/" }, grant: [{ system: a, entitlements: ["group:x"] }] }] }',
      'x.yaml: policy.rules.0.when.jobTitle',
    ],
    ['systems: [{ id: a, type: okta, baseUrl: "https://a", tokenEnv: T }, { id: a, type: scim, baseUrl: "https://b", tokenEnv: U }]', 'duplicate system id "a"'],
    ['hris: { workday: { webhookAuth: hmac } }', 'x.yaml: hris.workday.webhookAuth: must be "signature" or "basic"'],
    ['hris: { workday: { webhookUsername: " " } }', 'x.yaml: hris.workday.webhookUsername: must not be blank'],
    ['hris: { workday: { signatureWindow: soon } }', 'x.yaml: hris.workday.signatureWindow: not a duration'],
    ['hris: { workday: { businessProcesses: { onboard: ["Hire Employee"] } } }', 'x.yaml: hris.workday.businessProcesses: unknown lifecycle kind "onboard"'],
    ['hris: { workday: { businessProcesses: { hire: "Hire Employee" } } }', 'x.yaml: hris.workday.businessProcesses.hire: '],
    ['hris: { workday: { businessProcesses: { hire: ["Hire Employee", ""] } } }', 'x.yaml: hris.workday.businessProcesses.hire.1: must not be blank'],
    ['hris: { workday: { businessProcesses: { hire: ["Hire Employee"], rehire: ["Hire Employee"] } } }', 'x.yaml: hris.workday.businessProcesses.rehire.0: "Hire Employee" is already listed under hire'],
    ['hris: { workday: { webhookSecret: abc } }', 'x.yaml: hris.workday: Unrecognized key'],
    ['orphans: { every: sometimes }', 'x.yaml: orphans.every: not a duration'],
    ['orphans: { pollEvery: 1d }', 'x.yaml: orphans: Unrecognized key'],
    [
      'systems: [{ id: gh, type: github, org: acme, tokenEnv: T, identity: { by: hrField, field: githubLogin } }]',
      'x.yaml: systems.0.identity.field: HR field "githubLogin" is not declared in identity.hrFields',
    ],
    [
      'identity: { hrFields: { gitHub: { bamboohr: customGitHub } } }\nsystems: [{ id: gh, type: github, org: acme, tokenEnv: T, identity: { by: hrField, field: githubLogin } }]',
      'x.yaml: systems.0.identity.field: HR field "githubLogin" is not declared in identity.hrFields (declared: gitHub)',
    ],
    ['systems: [{ id: gh, type: github, org: acme, tokenEnv: T, identity: { by: email } }]', 'x.yaml: systems.0.identity.by: must be { by: saml } or { by: hrField'],
    ['identity: { hrFields: { githubLogin: {} } }', 'x.yaml: identity.hrFields.githubLogin: must say where at least one HRIS keeps it'],
    ['identity: { hrFields: { "github login": { workday: GitHub_Username } } }', 'x.yaml: identity.hrFields.github login: must be a name of letters'],
    ['identity: { hrFields: { githubLogin: { bamboohr: " " } } }', 'x.yaml: identity.hrFields.githubLogin.bamboohr: must not be blank'],
  ])('names the key and the reason for %s', (text, message) => {
    expect(() => parseConfigFile(text, 'x.yaml')).toThrow(ConfigError);
    expect(() => parseConfigFile(text, 'x.yaml')).toThrow(message);
  });

  it('refuses a bad env value with the variable name', () => {
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/^env: PORT: /);
    expect(() => parseEnv({ DATABASE_URL: 'mysql://x' })).toThrow('env: DATABASE_URL: must be a postgres:// URL');
    expect(() => parseEnv({ JML_API_TOKENS: 'root:abcdefghijklmnopq' })).toThrow('env: JML_API_TOKENS');
    expect(() => parseEnv({ JML_API_TOKENS: 'auditor:short' })).toThrow('shorter than 16');
  });

  it('declares extra HR fields and a GitHub system that matches accounts by one', () => {
    const text = [
      'identity:',
      '  hrFields:',
      '    githubLogin: { bamboohr: customGitHubUsername, workday: GitHub_Username }',
      '    badge: { workday: Badge_ID }',
      'systems:',
      '  - { id: gh, type: github, org: acme, tokenEnv: GH_TOKEN, identity: { by: hrField, field: githubLogin } }',
      '  - { id: gh-saml, type: github, org: acme-saml, tokenEnv: GH_TOKEN }',
    ].join('\n');
    const file = parseConfigFile(text, 'x.yaml');
    expect(file.identity).toEqual({
      matchBy: 'workEmail',
      hrFields: { githubLogin: { bamboohr: 'customGitHubUsername', workday: 'GitHub_Username' }, badge: { workday: 'Badge_ID' } },
    });
    expect(matchByFields(file.systems)).toEqual({ gh: 'githubLogin' });
    expect(parseConfigFile('', 'x.yaml').identity).toEqual({ matchBy: 'workEmail', hrFields: {} });
  });

  it.each(['BAMBOOHR_WEBHOOK_SECRET', 'WORKDAY_WEBHOOK_SECRET', 'SLACK_SIGNING_SECRET'])('%s must be at least 16 characters', (name) => {
    const slack = name === 'SLACK_SIGNING_SECRET' ? { SLACK_BOT_TOKEN: 'xoxb-test' } : {};
    expect(() => parseEnv({ ...slack, [name]: 'fifteen-chars!!' })).toThrow(`env: ${name}: must be at least 16 characters`);
    expect(() => parseEnv({ ...slack, [name]: 'fifteen-chars!!' })).not.toThrow('fifteen');
    expect(parseEnv({ ...slack, [name]: 'sixteen-chars!!!' })[name as 'SLACK_SIGNING_SECRET']).toBe('sixteen-chars!!!');
  });

  it('reads named tokens (role:name:token) beside unnamed ones', () => {
    const env = parseEnv({ JML_API_TOKENS: 'admin:alice:aaaaaaaaaaaaaaaa1, auditor:bbbbbbbbbbbbbbbb2,admin:bob.b:cc:cccccccccccccccc3' });
    expect(env.JML_API_TOKENS.get('aaaaaaaaaaaaaaaa1')).toEqual({ role: 'admin', name: 'alice' });
    expect(env.JML_API_TOKENS.get('bbbbbbbbbbbbbbbb2')).toEqual({ role: 'auditor' });
    // Only the second field is a name; the token is everything after it.
    expect(env.JML_API_TOKENS.get('cc:cccccccccccccccc3')).toEqual({ role: 'admin', name: 'bob.b' });
  });

  it('refuses a token listed twice, naming the positions and never the token', () => {
    const secret = 'same-token-0123456789';
    const twoRoles = () => parseEnv({ JML_API_TOKENS: `auditor:${secret},admin:carol:other-token-0123456789,admin:dave:${secret}` });
    expect(twoRoles).toThrow('entries 1 and 3 list the same token under two roles (auditor and admin)');
    expect(() => parseEnv({ JML_API_TOKENS: `admin:${secret},admin:erin:${secret}` })).toThrow('entries 1 and 2 list the same token twice as admin');
    for (const bad of [twoRoles, () => parseEnv({ JML_API_TOKENS: `admin:bad name:${secret}` }), () => parseEnv({ JML_API_TOKENS: `admin:x:${secret.slice(0, 10)}` })]) {
      try {
        bad();
        expect.unreachable();
      } catch (err) {
        expect(String(err)).not.toContain(secret.slice(0, 10));
      }
    }
  });

  it('reads roles from JML_API_TOKENS', () => {
    const env = parseEnv({ JML_API_TOKENS: 'auditor:aaaaaaaaaaaaaaaa1,admin:bbbbbbbbbbbbbbbb2' });
    expect(env.JML_API_TOKENS.get('aaaaaaaaaaaaaaaa1')).toEqual({ role: 'auditor' });
    expect(env.JML_API_TOKENS.get('bbbbbbbbbbbbbbbb2')).toEqual({ role: 'admin' });
  });

  it('requires the token variable each system names', async () => {
    await expect(loadConfig({ JML_CONFIG: 'jml.config.example.yaml' })).rejects.toThrow('env: OKTA_TOKEN: not set (secret for system "okta")');
    const cfg = await loadConfig({ JML_CONFIG: 'jml.config.example.yaml', OKTA_TOKEN: 'o', AWS_SCIM_TOKEN: 's' });
    expect(cfg.secrets).toEqual({ OKTA_TOKEN: 'o', AWS_SCIM_TOKEN: 's' });
  });
});
