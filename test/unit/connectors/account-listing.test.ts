/** Listing every account, driven through scripted fetch: answers the peers never give end the listing in an error, never early. */
import { describe, expect, it } from 'vitest';
import { OktaConnector } from '../../../src/connectors/okta/connector';
import { ScimConnector } from '../../../src/connectors/scim/connector';
import type { Account } from '../../../src/connectors/types';

type Answer = { status: number; body?: unknown; link?: string };

function scripted(answers: Answer[]) {
  const seen: string[] = [];
  const fetchFn = async (input: string | URL | Request) => {
    const url = new URL(String(input));
    seen.push(`${url.pathname}${url.search}`);
    const next = answers.shift();
    if (!next) throw new Error(`unexpected call ${seen.at(-1)}`);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(next.link ? { link: next.link } : {}) };
    return new Response(next.body === undefined ? null : JSON.stringify(next.body), { status: next.status, headers });
  };
  return { fetch: fetchFn as typeof fetch, seen };
}

async function drain(pages: AsyncIterable<Account[]>): Promise<{ accounts: Account[]; error?: unknown }> {
  const accounts: Account[] = [];
  try {
    for await (const page of pages) accounts.push(...page);
    return { accounts };
  } catch (error) {
    return { accounts, error };
  }
}

const base = 'https://acme.okta.test';
const user = (i: number, status = 'ACTIVE') => ({ id: `00u${i}`, status, profile: { login: `u${i}@acme.test`, email: `u${i}@acme.test` } });
const next = (after: string) => `<${base}/api/v1/users?limit=2>; rel="self", <${base}/api/v1/users?after=${after}&limit=2>; rel="next"`;

describe('Okta: every user', () => {
  const okta = (answers: Answer[]) => {
    const s = scripted(answers);
    return { connector: new OktaConnector({ id: 'okta', baseUrl: base, token: 't0ken', fetch: s.fetch, accountPageLimit: 2 }), seen: s.seen };
  };

  it('follows rel="next" to the end and maps Okta statuses', async () => {
    const { connector, seen } = okta([
      { status: 200, body: [user(1), user(2, 'SUSPENDED')], link: next('00u2') },
      { status: 200, body: [user(3, 'PASSWORD_EXPIRED'), user(4, 'STAGED')] },
    ]);
    const { accounts, error } = await drain(connector.listAccounts());
    expect(error).toBeUndefined();
    expect(accounts.map((a) => `${a.id} ${a.status}`)).toEqual(['00u1 active', '00u2 suspended', '00u3 active', '00u4 staged']);
    expect(seen).toEqual(['/api/v1/users?limit=2', '/api/v1/users?after=00u2&limit=2']);
  });

  it.each<[string, Answer]>([
    ['a page that is not a list of users', { status: 200, body: { errorSummary: 'maintenance' } }],
    ['a 404 from a gateway', { status: 404, body: '<html>not here</html>' }],
    ['a 500', { status: 500, body: { errorCode: 'E0000009', errorSummary: 'Internal Server Error' } }],
  ])('%s after the first page is an error, not the end', async (_name, answer) => {
    const { connector } = okta([{ status: 200, body: [user(1), user(2)], link: next('00u2') }, answer]);
    const { accounts, error } = await drain(connector.listAccounts());
    expect(accounts).toHaveLength(2);
    expect(error).toMatchObject({ code: 'unavailable' });
  });

  it('a next link it has already followed is a loop, an error', async () => {
    const { connector } = okta([
      { status: 200, body: [user(1)], link: next('00u1') },
      { status: 200, body: [user(2)], link: next('00u1') },
    ]);
    const { error } = await drain(connector.listAccounts());
    expect((error as Error).message).toMatch(/paging loops\); refusing a partial list/);
  });
});

describe('SCIM: every user', () => {
  const list = (resources: unknown[], extra: Record<string, unknown>) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], Resources: resources, ...extra });
  const scimUser = (i: number, active = true) => ({ id: `id-${i}`, userName: `u${i}@acme.test`, active, emails: [{ value: `u${i}@acme.test`, primary: true }] });
  const scim = (answers: Answer[], profile: 'rfc7644' | 'entra-id' = 'rfc7644') => {
    const s = scripted(answers);
    return { connector: new ScimConnector({ id: 'aws', baseUrl: 'https://scim.test/v2', token: 't0ken', fetch: s.fetch, pageSize: 2, profile }), seen: s.seen };
  };

  it('pages by startIndex until totalResults, active=false read as disabled', async () => {
    const { connector, seen } = scim([
      { status: 200, body: list([scimUser(1), scimUser(2, false)], { totalResults: 3, startIndex: 1 }) },
      { status: 200, body: list([scimUser(3)], { totalResults: 3, startIndex: 3 }) },
    ]);
    const { accounts, error } = await drain(connector.listAccounts());
    expect(error).toBeUndefined();
    expect(accounts.map((a) => `${a.id} ${a.status}`)).toEqual(['id-1 active', 'id-2 disabled', 'id-3 active']);
    expect(seen).toEqual(['/v2/Users?startIndex=1&count=2', '/v2/Users?startIndex=3&count=2']);
  });

  it.each<[string, Answer]>([
    ['a page that ignores startIndex', { status: 200, body: list([scimUser(1), scimUser(2)], { totalResults: 5, startIndex: 1 }) }],
    ['an empty page short of totalResults', { status: 200, body: list([], { totalResults: 5, startIndex: 3 }) }],
    ['something that is not a ListResponse', { status: 200, body: { Resources: [] } }],
  ])('%s is an error, not the end', async (_name, answer) => {
    const { connector } = scim([{ status: 200, body: list([scimUser(1), scimUser(2)], { totalResults: 5, startIndex: 1 }) }, answer]);
    const { accounts, error } = await drain(connector.listAccounts());
    expect(accounts).toHaveLength(2);
    expect(error).toMatchObject({ code: 'unavailable' });
  });

  it('a cursor handed back twice is a loop, an error (entra-id)', async () => {
    const { connector } = scim(
      [
        { status: 200, body: list([scimUser(1)], { nextCursor: 'c1' }) },
        { status: 200, body: list([scimUser(2)], { nextCursor: 'c1' }) },
      ],
      'entra-id',
    );
    const { accounts, error } = await drain(connector.listAccounts());
    // The page that hands back a known cursor is refused with it.
    expect(accounts).toHaveLength(1);
    expect((error as Error).message).toMatch(/already given \(paging loops\)/);
  });
});
