import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OktaConnector } from '../../../src/connectors/okta/connector';
import { oktaBucketOf } from '../../../src/connectors/okta/buckets';
import { Pacer } from '../../../src/connectors/pacer';
import { startOktaPeer, type OktaPeer } from '../../peers/okta-peer';
import { oktaDocumentedBuckets } from '../../peers/okta-rate-limits';

/** Every call the Okta connector makes, as method and URL path. */
const calls: [string, string][] = [
  ['GET', '/api/v1/users'],
  ['POST', '/api/v1/users'],
  ['GET', '/api/v1/users/00u1abcdEFGH2ijkl3'],
  ['GET', '/api/v1/users/ada%40acme.test'],
  ['GET', '/api/v1/users/00u1abcdEFGH2ijkl3/groups'],
  ['POST', '/api/v1/users/00u1abcdEFGH2ijkl3/lifecycle/suspend'],
  ['POST', '/api/v1/users/00u1abcdEFGH2ijkl3/lifecycle/unsuspend'],
  ['POST', '/api/v1/users/00u1abcdEFGH2ijkl3/lifecycle/activate'],
  ['POST', '/api/v1/users/00u1abcdEFGH2ijkl3/lifecycle/deactivate'],
  ['DELETE', '/api/v1/users/00u1abcdEFGH2ijkl3/sessions'],
  ['GET', '/api/v1/groups'],
  ['PUT', '/api/v1/groups/00g1abcdEFGH2ijkl3/users/00u1abcdEFGH2ijkl3'],
  ['DELETE', '/api/v1/groups/00g1abcdEFGH2ijkl3/users/00u1abcdEFGH2ijkl3'],
];

describe('oktaBucketOf', () => {
  it('keys each call by the bucket Okta counts it in, as the Okta peer (from Okta\'s documentation) does', () => {
    for (const [method, path] of calls) {
      const documented = oktaDocumentedBuckets.find((b) => b.match(method, path))!.name;
      expect({ method, path, bucket: oktaBucketOf(method, path) }).toEqual({ method, path, bucket: `okta ${documented}` });
    }
  });

  it('counts a session kill and a suspension together, and reads apart', () => {
    expect(oktaBucketOf('DELETE', '/api/v1/users/00u1/sessions')).toBe(oktaBucketOf('POST', '/api/v1/users/00u2/lifecycle/suspend'));
    expect(oktaBucketOf('GET', '/api/v1/groups')).toBe(oktaBucketOf('DELETE', '/api/v1/groups/00g1/users/00u1'));
    expect(oktaBucketOf('GET', '/api/v1/users/00u1')).not.toBe(oktaBucketOf('DELETE', '/api/v1/users/00u1/sessions'));
  });
});

describe('Okta connector and its pacer', () => {
  const token = 'okta-buckets-token-3a9';
  let peer: OktaPeer;
  beforeAll(async () => {
    // An hour-long window: nothing turns over while the test reads the pacer's view.
    peer = await startOktaPeer({ token, rateLimits: { buckets: oktaDocumentedBuckets.map((b) => ({ ...b, perMinute: 50 })), windowMs: 3_600_000 } });
  });
  afterAll(() => peer?.close());

  it('spends one pacer bucket for the session kill and the suspension, as Okta spends one', async () => {
    const pacer = new Pacer({ maxConcurrency: 4 });
    const okta = new OktaConnector({ id: 'okta', baseUrl: peer.url, token, pacer });
    const { id } = peer.seedUser({ login: 'kim.leaver@acme.test', sessions: 1 });
    await okta.killSessions(id);
    await okta.disableAccount(id);
    expect(pacer.state('okta users/{id} write')).toMatchObject({ limit: 50, remaining: 48, inFlight: 0 });
    expect(pacer.state('okta users/{idOrLogin} read')).toMatchObject({ limit: 50, remaining: 49 });
    expect(pacer.state('DELETE /api/v1/users/{id}/sessions')).toBeUndefined();
    expect(peer.rateLimitStats().buckets['users/{id} write']).toMatchObject({ accepted: 2 });
  });
});
