/** The GitHub peer refuses what GitHub refuses, and pages and answers GraphQL as GitHub does. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGithubPeer, type GithubPeer } from '../peers/github-peer';

const TOKEN = 'ghp-github-peer-test-4c2';

describe('the GitHub peer refuses what GitHub refuses', () => {
  let peer: GithubPeer;
  beforeAll(async () => {
    peer = await startGithubPeer({ tokens: { [TOKEN]: ['admin:org'] } });
  });
  afterAll(() => peer?.close());
  const call = (method: string, path: string, body?: unknown, token = TOKEN) =>
    fetch(`${peer.url}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json().catch(() => undefined)) as unknown }));

  it('a membership role other than admin or member is 422; unknown paths and orgs are GitHub 404s; a bad token is 401', async () => {
    peer.seedUser({ login: 'role-test' });
    expect(await call('PUT', '/orgs/acme/memberships/role-test', { role: 'owner' })).toMatchObject({ status: 422 });
    expect(await call('PUT', '/orgs/acme/teams/engineering/memberships/role-test', { role: 'admin' })).toMatchObject({ status: 422 });
    expect(await call('GET', '/orgs/acme/no-such-thing')).toMatchObject({ status: 404, body: { message: 'Not Found', documentation_url: expect.any(String) } });
    expect(await call('GET', '/orgs/other-org/members')).toMatchObject({ status: 404, body: { message: 'Not Found' } });
    expect(await call('GET', '/orgs/acme/members', undefined, 'nope')).toMatchObject({ status: 401, body: { message: 'Bad credentials' } });
  });

  it('pages with per_page (at most 100) and Link rel="next"; GraphQL connections need first <= 100', async () => {
    for (let i = 0; i < 3; i++) peer.seedUser({ login: `pager-${i}` });
    const first = await call('GET', '/orgs/acme/members?per_page=2');
    expect((first.body as unknown[]).length).toBe(2);
    expect(first.headers.get('link')).toMatch(/<[^>]+page=2[^>]*>; rel="next"/);
    const tooMany = await call('POST', '/graphql', { query: 'query($org: String!) { organization(login: $org) { teams(first: 101) { nodes { slug } } } }', variables: { org: 'acme' } });
    expect(tooMany).toMatchObject({ status: 200, body: { errors: [{ type: 'EXCESSIVE_PAGINATION' }] } });
    const unknown = await call('POST', '/graphql', { query: '{ organization(login: "acme") { teamz { id } } }' });
    expect(unknown).toMatchObject({ status: 200, body: { errors: [{ extensions: { code: 'undefinedField' } }] } });
    expect((unknown.body as { data?: unknown }).data).toBeUndefined();
  });
});
