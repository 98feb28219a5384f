/** Vendor answers the local peers never give, driven through scripted fetch. */
import { describe, expect, it } from 'vitest';
import { OktaConnector } from '../../../src/connectors/okta/connector';
import { ScimConnector } from '../../../src/connectors/scim/connector';

type Answer = { status: number; body?: unknown };

function scripted(answers: Answer[]) {
  const seen: string[] = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit) => {
    seen.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
    const next = answers.shift();
    if (!next) throw new Error(`unexpected call ${seen.at(-1)}`);
    return new Response(next.body === undefined ? null : JSON.stringify(next.body), { status: next.status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch: fetchFn as typeof fetch, seen };
}

const oktaUser = (status: string, transitioningToStatus?: string) => ({ id: '00u1', status, transitioningToStatus, profile: { login: 'ann@acme.test', email: 'ann@acme.test' } });
const wrongState = { errorCode: 'E0000001', errorSummary: 'Api validation failed: suspend', errorCauses: [] };

describe('Okta connector edges', () => {
  const okta = (answers: Answer[]) => {
    const s = scripted(answers);
    return { connector: new OktaConnector({ id: 'okta', baseUrl: 'https://acme.okta.test', token: 't0ken', fetch: s.fetch }), seen: s.seen };
  };

  it('reports converging when a suspended user still reads as active', async () => {
    const { connector } = okta([{ status: 200, body: {} }, { status: 200, body: oktaUser('ACTIVE', 'SUSPENDED') }]);
    await expect(connector.disableAccount('00u1')).rejects.toMatchObject({ code: 'converging', retryable: true });
  });

  it('deactivates a user Okta will not suspend (locked out), then verifies', async () => {
    const { connector, seen } = okta([
      { status: 400, body: wrongState },
      { status: 200, body: oktaUser('LOCKED_OUT') },
      { status: 200, body: {} },
      { status: 200, body: oktaUser('DEPROVISIONED') },
    ]);
    await connector.disableAccount('00u1');
    expect(seen).toEqual([
      'POST /api/v1/users/00u1/lifecycle/suspend',
      'GET /api/v1/users/00u1',
      'POST /api/v1/users/00u1/lifecycle/deactivate',
      'GET /api/v1/users/00u1',
    ]);
  });

  it('treats other 400s from suspend as errors', async () => {
    const { connector } = okta([{ status: 400, body: { errorCode: 'E0000003', errorSummary: 'The request body was not well-formed.' } }]);
    await expect(connector.disableAccount('00u1')).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('does not mistake a login short-name match for the person', async () => {
    const { connector } = okta([{ status: 200, body: oktaUser('ACTIVE') }]);
    expect(await connector.findAccount('ann')).toBeNull();
  });

  it('refuses to manage a BUILT_IN group', async () => {
    const { connector } = okta([{ status: 200, body: [{ id: '00g1', type: 'BUILT_IN', profile: { name: 'Everyone' } }] }]);
    await expect(connector.grantEntitlement('00u1', 'group:Everyone')).rejects.toMatchObject({ code: 'bad_request' });
  });
  const notFound = { errorCode: 'E0000007', errorSummary: 'Not found: Resource not found: 00u1 (User)', errorCauses: [] };

  it('answers not_found when Okta says the user is gone, for every account operation', async () => {
    for (const call of [
      (c: OktaConnector) => c.disableAccount('00u1'),
      (c: OktaConnector) => c.killSessions('00u1'),
      (c: OktaConnector) => c.enableAccount('00u1'),
      (c: OktaConnector) => c.listEntitlements('00u1'),
    ]) {
      const { connector } = okta([{ status: 404, body: notFound }]);
      await expect(call(connector)).rejects.toMatchObject({ code: 'not_found', status: 404, message: 'okta: user 00u1 not found' });
    }
  });

  it('never takes a 404 without Okta\'s error body for "no such user"', async () => {
    const { connector } = okta([{ status: 404, body: '<html>Not Found</html>' }]);
    const error = await connector.findAccount('ann@acme.test').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', status: 404 });
    expect((error as Error).message).not.toContain('ann');
    const { connector: again } = okta([{ status: 404, body: { message: 'no route' } }]);
    await expect(again.killSessions('00u1')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('checks access with one authorised read of the users list, and refuses anything but a users array', async () => {
    const { connector, seen } = okta([{ status: 200, body: [oktaUser('ACTIVE')] }]);
    await connector.checkAccess();
    expect(seen).toEqual(['GET /api/v1/users']);
    const { connector: html } = okta([{ status: 200, body: '<html>Sign in</html>' }]);
    await expect(html.checkAccess()).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('fails a users group listing that still has pages after the cap, rather than cutting it short', async () => {
    const page = (id: string) => ({ status: 200, body: [{ id, type: 'OKTA_GROUP', profile: { name: id } }], link: `<https://acme.okta.test/api/v1/users/00u1/groups?after=${id}>; rel="next"` });
    const s = scriptedWithLinks([page('g1'), page('g2')]);
    const connector = new OktaConnector({ id: 'okta', baseUrl: 'https://acme.okta.test', token: 't0ken', fetch: s.fetch, maxPages: 2 });
    await expect(connector.listEntitlements('00u1')).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('after 2 pages') });
  });

  it('fails a revoke of a group that no search can find', async () => {
    const { connector } = okta([{ status: 200, body: [] }]);
    await expect(connector.revokeEntitlement('00u1', 'group:gone')).rejects.toMatchObject({ code: 'bad_request', message: 'okta: no Okta group named "gone"' });
  });
});

function scriptedWithLinks(answers: (Answer & { link?: string })[]) {
  const fetchFn = async () => {
    const next = answers.shift();
    if (!next) throw new Error('unexpected call');
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(next.link ? { link: next.link } : {}) };
    return new Response(JSON.stringify(next.body), { status: next.status, headers });
  };
  return { fetch: fetchFn as typeof fetch };
}

describe('SCIM connector edges', () => {
  const scim = (answers: Answer[], options: { maxPages?: number; pageSize?: number } = {}) => {
    const s = scripted(answers);
    return { connector: new ScimConnector({ id: 'aws', baseUrl: 'https://scim.test/scim/v2', token: 't0ken', fetch: s.fetch, ...options }), seen: s.seen };
  };
  const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
  const list = (resources: unknown[], extra: Record<string, unknown> = {}) => ({ schemas: [LIST], totalResults: resources.length, Resources: resources, ...extra });
  const user = (extra: Record<string, unknown> = {}) => ({ status: 200, body: { id: 'u1', userName: 'a', ...extra } });
  const scimNotFound = { status: 404, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: 'Resource u1 not found' } };

  it('counts a 400 noTarget on remove as "not a member", once the account is seen to exist', async () => {
    const { connector, seen } = scim([
      { status: 200, body: list([{ id: 'g1', displayName: 'eng' }]) },
      { status: 400, body: { status: '400', scimType: 'noTarget', detail: 'no match' } },
      user(),
    ]);
    await expect(connector.revokeEntitlement('u1', 'group:eng')).resolves.toBeUndefined();
    expect(seen).toEqual(['GET /scim/v2/Groups', 'PATCH /scim/v2/Groups/g1', 'GET /scim/v2/Users/u1']);
  });

  it('answers not_found for a revoke whose account is gone, even when the server says 204', async () => {
    const { connector } = scim([{ status: 200, body: list([{ id: 'g1', displayName: 'eng' }]) }, { status: 204 }, scimNotFound]);
    await expect(connector.revokeEntitlement('u1', 'group:eng')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('fails on other 400s from remove', async () => {
    const { connector } = scim([
      { status: 200, body: list([{ id: 'g1', displayName: 'eng' }]) },
      { status: 400, body: { status: '400', scimType: 'invalidPath', detail: 'bad path' } },
      user(),
    ]);
    await expect(connector.revokeEntitlement('u1', 'group:eng')).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('reports converging when a deactivated user still reads as active', async () => {
    const { connector } = scim([{ status: 204 }, user({ active: true })]);
    await expect(connector.disableAccount('u1')).rejects.toMatchObject({ code: 'converging' });
  });

  it('answers not_found when disabling a user the server says is gone', async () => {
    const { connector } = scim([scimNotFound]);
    await expect(connector.disableAccount('u1')).rejects.toMatchObject({ code: 'not_found', message: 'aws: user u1 not found' });
  });

  it('resolves group names from ids when the user lists groups without display', async () => {
    const { connector, seen } = scim([
      user({ groups: [{ value: 'g1' }, { value: 'g2', display: 'ops', type: 'indirect' }] }),
      { status: 501, body: { status: '501', detail: 'not implemented' } },
      { status: 200, body: { id: 'g1', displayName: 'eng' } },
    ]);
    expect(await connector.listEntitlements('u1')).toEqual(['group:eng']);
    expect(seen).toEqual(['GET /scim/v2/Users/u1', 'GET /scim/v2/Groups', 'GET /scim/v2/Groups/g1']);
  });

  it('calls memberships unsupported when neither a members filter nor a groups attribute exists', async () => {
    const { connector } = scim([user(), { status: 400, body: { status: '400', scimType: 'invalidFilter', detail: 'no' } }]);
    await expect(connector.listEntitlements('u1')).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('pages through list responses', async () => {
    const page = (ids: string[], total: number, startIndex: number) => ({
      status: 200,
      body: list(ids.map((id) => ({ id, displayName: id })), { totalResults: total, startIndex }),
    });
    const { connector } = scim([user(), page(['a', 'b'], 3, 1), page(['c'], 3, 3)]);
    expect(await connector.listEntitlements('u1')).toEqual(['group:a', 'group:b', 'group:c']);
  });

  it.each([
    ['ignores startIndex', [list([{ id: 'a', displayName: 'a' }], { totalResults: 2, startIndex: 1 }), list([{ id: 'a', displayName: 'a' }], { totalResults: 2, startIndex: 1 })], 'paging ignored'],
    ['ends short of totalResults', [list([{ id: 'a', displayName: 'a' }], { totalResults: 3, startIndex: 1 }), list([], { totalResults: 3, startIndex: 2 })], 'ended after 1 of 3'],
    ['pages without startIndex', [list([{ id: 'a', displayName: 'a' }], { totalResults: 2 })], 'without startIndex'],
    ['answers something that is not a ListResponse', [{ totalResults: 0 }], 'not a SCIM ListResponse'],
  ])('fails a listing that %s instead of returning part of it', async (_what, pages, why) => {
    const { connector } = scim([user(), ...pages.map((body) => ({ status: 200, body }))]);
    await expect(connector.listEntitlements('u1')).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining(why) });
  });

  it('fails a listing that reaches the page cap', async () => {
    const page = (i: number) => ({ status: 200, body: list([{ id: `g${i}`, displayName: `g${i}` }], { totalResults: 9, startIndex: i }) });
    const { connector } = scim([user(), page(1), page(2)], { maxPages: 2, pageSize: 1 });
    await expect(connector.listEntitlements('u1')).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('after 2 pages') });
  });

  it('finds nobody only from a well-formed empty ListResponse', async () => {
    const { connector } = scim([{ status: 200, body: list([]) }]);
    expect(await connector.findAccount('nobody@acme.test')).toBeNull();
    const { connector: odd } = scim([{ status: 200, body: { Resources: [] } }]);
    await expect(odd.findAccount('nobody@acme.test')).rejects.toMatchObject({ code: 'unavailable' });
  });
});
