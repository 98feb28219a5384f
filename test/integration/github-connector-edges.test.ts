/**
 * GitHub connector edges: a gateway or wrong base URL in front (an outage on every path), an
 * organisation GitHub does not know (configuration), the orphan listing at size, the pacer reading
 * GitHub's rate-limit headers, and the config schema.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { githubConnector } from '../../src/connectors/github';
import { GithubConnector } from '../../src/connectors/github/connector';
import { ConnectorError } from '../../src/connectors/errors';
import { Pacer } from '../../src/connectors/pacer';
import { startGatewayPeer, type GatewayAnswer, type GatewayPeer } from '../peers/gateway-peer';
import { startGithubPeer } from '../peers/github-peer';

const TOKEN = 'ghp-github-edges-test-9e7';
let seq = 0;
const email = () => `pat.${++seq}.${Date.now()}@acme.test`;
const loginFor = (mail: string) => mail.split('@')[0]!.replace(/\./g, '-');

describe.each(['not-found-html', 'not-found-json', 'html', 'unauthorized'] as GatewayAnswer[])('GitHub behind a server answering %s', (answer) => {
  let gateway: GatewayPeer;
  let c: GithubConnector;
  const expected = answer === 'unauthorized' ? 'unauthorized' : 'unavailable';
  beforeAll(async () => {
    gateway = await startGatewayPeer(answer);
    c = new GithubConnector({ id: 'github', baseUrl: gateway.url, org: 'acme', token: TOKEN });
  });
  afterAll(() => gateway?.close());

  it('sees an outage everywhere: nothing succeeds, nobody is "not found" (a 404 without GitHub\'s documentation_url is not GitHub)', async () => {
    const ops: [string, () => Promise<unknown>][] = [
      ['checkAccess', () => c.checkAccess()],
      ['findAccount', () => c.findAccount('ann.leaver@acme.test')],
      ['disableAccount', () => c.disableAccount('ann-leaver')],
      ['listEntitlements', () => c.listEntitlements('ann-leaver')],
      ['grantEntitlement', () => c.grantEntitlement('ann-leaver', 'team:engineering')],
      ['revokeEntitlement', () => c.revokeEntitlement('ann-leaver', 'team:engineering')],
      ['listAccounts', async () => {
        for await (const _page of c.listAccounts()) return 'a page';
      }],
    ];
    for (const [name, op] of ops) {
      const error = await op().then((v) => ({ resolved: v }), (e: unknown) => e);
      expect(error, name).toBeInstanceOf(ConnectorError);
      expect(error, name).toMatchObject({ code: expected });
      expect((error as Error).message, name).not.toMatch(/ann/);
    }
  });
});

describe('GitHub pointed at an organisation that does not exist', () => {
  it('is a configuration error on every path, never "nobody"', async () => {
    const peer = await startGithubPeer({ tokens: { [TOKEN]: ['admin:org'] } });
    try {
      const c = new GithubConnector({ id: 'github', baseUrl: peer.url, org: 'not-acme', token: TOKEN });
      await expect(c.findAccount(email())).rejects.toMatchObject({ code: 'bad_request' });
      await expect(c.checkAccess()).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('no organisation not-acme') });
    } finally {
      await peer.close();
    }
  });
});

describe('GitHub orphan listing at size', () => {
  it('reads 1,000 members 100 at a time, one GraphQL join per page, never the whole org at once', async () => {
    const peer = await startGithubPeer({ tokens: { [TOKEN]: ['admin:org'] } });
    try {
      for (let i = 0; i < 1000; i++) peer.seedUser({ login: `member-${i}`, ...(i % 10 === 0 ? {} : { nameId: `member.${i}@acme.test` }) });
      const c = new GithubConnector({ id: 'github', baseUrl: peer.url, org: 'acme', token: TOKEN });
      const before = peer.requests().length;
      let pages = 0;
      let linked = 0;
      const seen = new Set<string>();
      for await (const page of c.listAccounts()) {
        pages++;
        expect(page.length).toBeLessThanOrEqual(100);
        for (const a of page) {
          seen.add(a.id);
          if (a.login !== a.id) linked++;
        }
      }
      expect(pages).toBe(10);
      expect(seen.size).toBe(1000);
      expect(linked).toBe(900);
      const sent = peer.requests().slice(before);
      expect(sent.filter((r) => r.path === '/graphql')).toHaveLength(10);
      expect(sent.filter((r) => r.path === '/orgs/acme/members')).toHaveLength(10);
    } finally {
      await peer.close();
    }
  });
});

describe('GitHub primary limit and the pacer', () => {
  it("the pacer reads GitHub's x-ratelimit-* answers as the core and graphql buckets", async () => {
    const peer = await startGithubPeer({ tokens: { [TOKEN]: ['admin:org'] }, primaryLimit: 50 });
    try {
      const pacer = new Pacer({ maxConcurrency: 10 });
      const c = new GithubConnector({ id: 'github', baseUrl: peer.url, org: 'acme', token: TOKEN, pacer });
      const mail = email();
      peer.seedUser({ login: loginFor(mail), nameId: mail });
      await c.checkAccess();
      await c.findAccount(mail);
      expect(pacer.state('github core')).toMatchObject({ limit: 50, remaining: 48 });
      expect(pacer.state('github graphql')).toMatchObject({ limit: 50, remaining: 49 });
    } finally {
      await peer.close();
    }
  });
});

describe('GitHub config', () => {
  it('defaults the base URL and identity, and refuses unknown keys', () => {
    const parsed = githubConnector.configSchema.parse({ id: 'github', type: 'github', org: 'acme', tokenEnv: 'GITHUB_TOKEN' });
    expect(parsed).toMatchObject({ baseUrl: 'https://api.github.com', identity: { by: 'saml' }, org: 'acme' });
    expect(githubConnector.configSchema.safeParse({ id: 'github', type: 'github', org: 'acme', tokenEnv: 'GITHUB_TOKEN', team: 'x' }).success).toBe(false);
    expect(githubConnector.configSchema.safeParse({ id: 'github', type: 'github', org: 'acme', tokenEnv: 'GITHUB_TOKEN', identity: { by: 'email' } }).success).toBe(false);
    expect(githubConnector.secretEnvs(parsed)).toEqual(['GITHUB_TOKEN']);
  });
});
