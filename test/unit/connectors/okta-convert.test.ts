import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../../src/connectors/errors';
import { groupNameOf } from '../../../src/connectors/entitlement';
import { accountStatusOf, oktaErrorMessage, oktaQuoted, oktaRetryAfterMs, toAccount } from '../../../src/connectors/okta/convert';
import { nextLink } from '../../../src/connectors/http';

describe('Okta conversion', () => {
  it.each([
    ['ACTIVE', 'active'],
    ['PROVISIONED', 'active'],
    ['RECOVERY', 'active'],
    ['PASSWORD_EXPIRED', 'active'],
    ['LOCKED_OUT', 'active'],
    ['STAGED', 'staged'],
    ['SUSPENDED', 'suspended'],
    ['DEPROVISIONED', 'deprovisioned'],
    ['SOMETHING_NEW', 'active'],
  ] as const)('maps Okta status %s to %s', (okta, ours) => {
    expect(accountStatusOf(okta)).toBe(ours);
  });

  it('turns an Okta user into an account', () => {
    const account = toAccount({ id: '00u1', status: 'SUSPENDED', profile: { login: 'ann@acme.test', email: 'ann@acme.test' } });
    expect(account).toEqual({ id: '00u1', login: 'ann@acme.test', email: 'ann@acme.test', status: 'suspended' });
    expect(toAccount({ id: '00u2', status: 'ACTIVE', profile: { login: 'bob', email: null } })).not.toHaveProperty('email');
  });

  it('reads group entitlements and refuses other kinds as unsupported', () => {
    expect(groupNameOf('okta', 'group:Prod Admins')).toBe('Prod Admins');
    expect(groupNameOf('okta', 'group:a:b')).toBe('a:b');
    expect(() => groupNameOf('okta', 'team:eng')).toThrow(UnsupportedError);
    expect(() => groupNameOf('okta', 'group:')).toThrow(UnsupportedError);
    expect(() => groupNameOf('okta', 'eng')).toThrow(UnsupportedError);
  });

  it('formats Okta error bodies with their causes and code', () => {
    const body = {
      errorCode: 'E0000001',
      errorSummary: 'Api validation failed: login',
      errorLink: 'E0000001',
      errorId: 'oae1',
      errorCauses: [{ errorSummary: 'login: An object with this field already exists in the current organization' }],
    };
    expect(oktaErrorMessage(body)).toBe(
      'Api validation failed: login (login: An object with this field already exists in the current organization) [E0000001]',
    );
    expect(oktaErrorMessage({ errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorCauses: [] })).toBe('Invalid token provided [E0000011]');
    expect(oktaErrorMessage(undefined)).toBeUndefined();
  });

  it('waits until X-Rate-Limit-Reset, measured on the server clock', () => {
    const serverDate = new Date('2025-01-01T00:00:00Z');
    const headers = new Headers({ 'x-rate-limit-reset': String(serverDate.getTime() / 1000 + 3), date: serverDate.toUTCString() });
    // Our clock is 10 minutes fast; the wait still comes from the server's view.
    expect(oktaRetryAfterMs(headers, serverDate.getTime() + 600_000)).toBe(3000);
    const noDate = new Headers({ 'x-rate-limit-reset': '1000' });
    expect(oktaRetryAfterMs(noDate, 998_500)).toBe(1500);
    expect(oktaRetryAfterMs(noDate, 2_000_000)).toBe(0);
    expect(oktaRetryAfterMs(new Headers(), 0)).toBeUndefined();
    expect(oktaRetryAfterMs(new Headers({ 'x-rate-limit-reset': 'soon' }), 0)).toBeUndefined();
  });

  it('finds the next page in a Link header', () => {
    const headers = new Headers();
    headers.append('link', '<https://acme.okta.com/api/v1/users/1/groups?limit=1>; rel="self"');
    headers.append('link', '<https://acme.okta.com/api/v1/users/1/groups?after=00g2&limit=1>; rel="next"');
    expect(nextLink(headers)).toBe('https://acme.okta.com/api/v1/users/1/groups?after=00g2&limit=1');
    expect(nextLink(new Headers({ link: '<https://x/a>; rel="self"' }))).toBeUndefined();
  });

  it('quotes filter literals', () => {
    expect(oktaQuoted('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
});
