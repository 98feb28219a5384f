import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../../src/connectors/errors';
import { groupNameOf } from '../../../src/connectors/entitlement';
import { isActive, newUserBody, scimErrorMessage, scimQuoted, scimRetryAfterMs, toAccount } from '../../../src/connectors/scim/convert';

describe('SCIM conversion', () => {
  it('reads Retry-After as delay-seconds', () => {
    expect(scimRetryAfterMs(new Headers({ 'retry-after': '7' }), 0)).toBe(7000);
    expect(scimRetryAfterMs(new Headers({ 'retry-after': ' 0 ' }), 0)).toBe(0);
  });

  it('reads Retry-After as an HTTP-date, against the server clock when it sends one', () => {
    const server = Date.parse('Wed, 01 Jan 2025 00:00:00 GMT');
    const headers = new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:04 GMT', date: 'Wed, 01 Jan 2025 00:00:00 GMT' });
    expect(scimRetryAfterMs(headers, server - 3_600_000)).toBe(4000);
    const noDate = new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:04 GMT' });
    expect(scimRetryAfterMs(noDate, server + 1000)).toBe(3000);
    expect(scimRetryAfterMs(noDate, server + 10_000)).toBe(0);
  });

  it('ignores a missing or unreadable Retry-After', () => {
    expect(scimRetryAfterMs(new Headers(), 0)).toBeUndefined();
    expect(scimRetryAfterMs(new Headers({ 'retry-after': 'later' }), 0)).toBeUndefined();
  });

  it('formats RFC 7644 error bodies', () => {
    const schemas = ['urn:ietf:params:scim:api:messages:2.0:Error'];
    expect(scimErrorMessage({ schemas, status: '409', scimType: 'uniqueness', detail: 'userName taken' })).toBe('userName taken [uniqueness]');
    expect(scimErrorMessage({ schemas, status: 404, detail: 'Resource 1 not found' })).toBe('Resource 1 not found');
    expect(scimErrorMessage({ schemas, status: '400', scimType: 'invalidFilter' })).toBe('scimType invalidFilter');
    expect(scimErrorMessage('Bad Gateway')).toBe('Bad Gateway');
    expect(scimErrorMessage(undefined)).toBeUndefined();
  });

  it('treats active as boolean, string, or absent', () => {
    const base = { id: '1', userName: 'a' };
    expect(isActive({ ...base, active: false })).toBe(false);
    expect(isActive({ ...base, active: 'False' })).toBe(false);
    expect(isActive({ ...base, active: 'true' })).toBe(true);
    expect(isActive(base)).toBe(true);
  });

  it('turns a SCIM user into an account, preferring the primary email', () => {
    const user = {
      id: 'u1',
      userName: 'ann@acme.test',
      active: false,
      emails: [{ value: 'home@x.test' }, { value: 'ann@acme.test', primary: true }],
    };
    expect(toAccount(user)).toEqual({ id: 'u1', login: 'ann@acme.test', email: 'ann@acme.test', status: 'disabled' });
  });

  it('builds a core User for creation', () => {
    const body = newUserBody({ login: 'ann@acme.test', email: 'ann@acme.test', firstName: 'Ann', lastName: 'Lee', active: false });
    expect(body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'ann@acme.test',
      name: { givenName: 'Ann', familyName: 'Lee' },
      emails: [{ value: 'ann@acme.test', primary: true }],
      active: false,
    });
  });

  it('quotes filter literals and parses group entitlements', () => {
    expect(scimQuoted('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
    expect(groupNameOf('aws', 'group:prod-admin')).toBe('prod-admin');
    expect(() => groupNameOf('aws', 'role:admin')).toThrow(UnsupportedError);
  });
});
