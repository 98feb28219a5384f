import { describe, expect, it } from 'vitest';
import { laterLogins, loginFor, noLoginReason, systemLogin, systemLogins, withLogins } from '../../../src/identity/system-login';

const worker = { workEmail: ' Jo.Doe@Acme.TEST ', hrFields: { githubLogin: ' jo-doe ' } };
const matchBy = { github: 'githubLogin' };

describe('the login each system knows a worker by', () => {
  it('is the lower-cased work email, unless the system matches by an HR field', () => {
    expect(systemLogin(worker, 'okta', matchBy)).toEqual({ login: 'jo.doe@acme.test' });
    expect(systemLogin(worker, 'github', matchBy)).toEqual({ login: 'jo-doe', matchBy: 'githubLogin' });
    expect(systemLogin(worker, 'github', undefined)).toEqual({ login: 'jo.doe@acme.test' });
  });

  it('is absent, naming the field, when HR has no value for it (never the work email instead)', () => {
    expect(systemLogin({ workEmail: 'a@acme.test' }, 'github', matchBy)).toEqual({ matchBy: 'githubLogin' });
    expect(systemLogin({ workEmail: 'a@acme.test', hrFields: { githubLogin: '  ' } }, 'github', matchBy)).toEqual({ matchBy: 'githubLogin' });
    expect(systemLogin({}, 'okta', matchBy)).toEqual({});
    expect(noLoginReason('githubLogin', 'match accounts by')).toBe('HR record has no githubLogin (identity.hrFields) to match accounts by');
    expect(noLoginReason(undefined, 'create accounts with')).toBe('HR record has no work email to create accounts with');
  });

  it('goes into a plan only for systems matched by a field; a step takes it, else the work email', () => {
    expect(withLogins(worker, {})).toEqual({});
    const plan = { login: 'jo.doe@acme.test', ...withLogins(worker, matchBy) };
    expect(plan.logins).toEqual({ github: { login: 'jo-doe', matchBy: 'githubLogin' } });
    expect(loginFor(plan, 'github')).toEqual({ login: 'jo-doe', matchBy: 'githubLogin' });
    expect(loginFor(plan, 'okta')).toEqual({ login: 'jo.doe@acme.test' });
    // Plans made before systems could match by a field have no logins at all.
    expect(loginFor({ login: 'x@acme.test' }, 'github')).toEqual({ login: 'x@acme.test' });
    expect(loginFor({ logins: systemLogins({}, matchBy) }, 'github')).toEqual({ matchBy: 'githubLogin' });
  });

  it('from a later HR event replaces an earlier one, except where the later event has none', () => {
    const earlier = { github: { login: 'old-login', matchBy: 'githubLogin' }, gitlab: { login: 'kept', matchBy: 'gitlabUser' } };
    const later = { github: { login: 'new-login', matchBy: 'githubLogin' }, gitlab: { matchBy: 'gitlabUser' } };
    expect(laterLogins(earlier, later)).toEqual({ github: { login: 'new-login', matchBy: 'githubLogin' }, gitlab: { login: 'kept', matchBy: 'gitlabUser' } });
    expect(laterLogins(undefined, later)).toBe(later);
    expect(laterLogins(earlier, undefined)).toBe(earlier);
  });
});
