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
});

describe('SCIM connector edges', () => {
  const scim = (answers: Answer[]) => {
    const s = scripted(answers);
    return { connector: new ScimConnector({ id: 'aws', baseUrl: 'https://scim.test/scim/v2', token: 't0ken', fetch: s.fetch }), seen: s.seen };
  };
  const list = (resources: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: resources.length, Resources: resources });

  it('counts a 400 noTarget on remove as "not a member"', async () => {
    const { connector } = scim([
      { status: 200, body: list([{ id: 'g1', displayName: 'eng' }]) },
      { status: 400, body: { status: '400', scimType: 'noTarget', detail: 'no match' } },
    ]);
    await expect(connector.revokeEntitlement('u1', 'group:eng')).resolves.toBeUndefined();
  });

  it('fails on other 400s from remove', async () => {
    const { connector } = scim([
      { status: 200, body: list([{ id: 'g1', displayName: 'eng' }]) },
      { status: 400, body: { status: '400', scimType: 'invalidPath', detail: 'bad path' } },
    ]);
    await expect(connector.revokeEntitlement('u1', 'group:eng')).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('reports converging when a deactivated user still reads as active', async () => {
    const { connector } = scim([{ status: 204 }, { status: 200, body: { id: 'u1', userName: 'a', active: true } }]);
    await expect(connector.disableAccount('u1')).rejects.toMatchObject({ code: 'converging' });
  });

  it('resolves group names from ids when the user lists groups without display', async () => {
    const { connector, seen } = scim([
      { status: 501, body: { status: '501', detail: 'not implemented' } },
      { status: 200, body: { id: 'u1', userName: 'a', groups: [{ value: 'g1' }, { value: 'g2', display: 'ops', type: 'indirect' }] } },
      { status: 200, body: { id: 'g1', displayName: 'eng' } },
    ]);
    expect(await connector.listEntitlements('u1')).toEqual(['group:eng']);
    expect(seen).toEqual(['GET /scim/v2/Groups', 'GET /scim/v2/Users/u1', 'GET /scim/v2/Groups/g1']);
  });

  it('pages through list responses', async () => {
    const page = (ids: string[], total: number) => ({ status: 200, body: { totalResults: total, Resources: ids.map((id) => ({ id, displayName: id })) } });
    const { connector } = scim([page(['a', 'b'], 3), page(['c'], 3)]);
    expect(await connector.listEntitlements('u1')).toEqual(['group:a', 'group:b', 'group:c']);
  });
});
