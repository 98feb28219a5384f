import { describe, expect, it } from 'vitest';
import type { ApiToken } from '../../../src/api/auth';
import { ConsoleSessions, cookieValue, sessionMaxAgeMs } from '../../../src/console/session';

const tokens = (entries: [string, ApiToken][]) => new Map(entries);
const auditor = 'auditor-token-0123456789abcdef';
const admin = 'admin-token-0123456789abcdef';

describe('console sessions', () => {
  it('open a session only for a configured token, with its role, name and actor', () => {
    const sessions = new ConsoleSessions(tokens([[auditor, { role: 'auditor', name: 'kpmg' }], [admin, { role: 'admin' }]]));
    expect(sessions.open('not-a-token')).toBeUndefined();
    const a = sessions.open(auditor)!;
    expect(a.session).toMatchObject({ role: 'auditor', name: 'kpmg', actor: 'console:auditor:kpmg' });
    expect(sessions.read(a.cookie)).toEqual(a.session);
    expect(sessions.open(admin)!.session).toMatchObject({ role: 'admin', actor: 'console:admin' });
    expect(new ConsoleSessions(new Map()).closed).toBe(true);
  });

  it('end after eight hours', () => {
    let now = Date.UTC(2026, 11, 4, 9);
    const sessions = new ConsoleSessions(tokens([[auditor, { role: 'auditor' }]]), () => now);
    const { cookie } = sessions.open(auditor)!;
    now += sessionMaxAgeMs - 1;
    expect(sessions.read(cookie)).toBeDefined();
    now += 1;
    expect(sessions.read(cookie)).toBeUndefined();
  });

  it('end when the token is removed or its role changes, and a session of one engine is not one of another', () => {
    const { cookie } = new ConsoleSessions(tokens([[auditor, { role: 'auditor' }], [admin, { role: 'admin' }]])).open(auditor)!;
    expect(new ConsoleSessions(tokens([[auditor, { role: 'auditor' }], [admin, { role: 'admin' }]])).read(cookie)).toBeDefined();
    expect(new ConsoleSessions(tokens([[admin, { role: 'admin' }]])).read(cookie)).toBeUndefined();
    expect(new ConsoleSessions(tokens([[auditor, { role: 'admin' }], [admin, { role: 'admin' }]])).read(cookie)).toBeUndefined();
    expect(new ConsoleSessions(tokens([[`${auditor}x`, { role: 'auditor' }]])).read(cookie)).toBeUndefined();
  });

  it("give each session its own CSRF token, valid for it alone", () => {
    const sessions = new ConsoleSessions(tokens([[admin, { role: 'admin' }]]));
    const one = sessions.open(admin)!.session;
    const two = sessions.open(admin)!.session;
    expect(sessions.csrfValid(one, sessions.csrfToken(one))).toBe(true);
    expect(sessions.csrfValid(one, sessions.csrfToken(two))).toBe(false);
    expect(sessions.csrfValid(one, undefined)).toBe(false);
    expect(sessions.csrfValid(one, '')).toBe(false);
  });

  it('read one cookie out of a Cookie header', () => {
    expect(cookieValue('a=1; jml_console=abc.def; b=2', 'jml_console')).toBe('abc.def');
    expect(cookieValue('xjml_console=1', 'jml_console')).toBeUndefined();
    expect(cookieValue(undefined, 'jml_console')).toBeUndefined();
  });
});
