import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../src/connectors/errors';
import { cachedSystemCheck, checkSystem } from '../../../src/connectors/health';
import type { Connector } from '../../../src/connectors/types';

function connector(overrides: Partial<Connector> = {}): Connector & { checks: number } {
  const c = {
    id: 'sys',
    type: 'okta',
    location: 'https://sys.test',
    checks: 0,
    async checkAccess(this: { checks: number }) {
      this.checks++;
    },
    findAccount: async () => null,
    disableAccount: async () => {},
    listEntitlements: async () => [],
    grantEntitlement: async () => {},
    revokeEntitlement: async () => {},
    ...overrides,
  };
  return c;
}

describe('checkSystem', () => {
  it('is clean when access works and no permission is missing', async () => {
    expect(await checkSystem(connector({ checkPermissions: async () => [] }))).toMatchObject({ system: 'sys', problems: [] });
  });

  it('says credentials were refused, or the system is unreachable, and skips the permission check then', async () => {
    let asked = false;
    const refused = connector({
      checkAccess: async () => {
        throw new ConnectorError('unauthorized', 'sys: GET /api/v1/users/me answered 401', 'sys', 401);
      },
      checkPermissions: async () => ((asked = true), []),
    });
    expect((await checkSystem(refused)).problems).toEqual(['sys: credentials refused (sys: GET /api/v1/users/me answered 401)']);
    expect(asked).toBe(false);
    const down = connector({
      checkAccess: async () => {
        throw new ConnectorError('unavailable', 'sys: GET / failed: ECONNREFUSED', 'sys');
      },
    });
    expect((await checkSystem(down)).problems[0]).toMatch(/^sys: not reachable as okta at https:\/\/sys.test/);
  });

  it('lists each missing permission on its own line', async () => {
    const lacking = connector({ checkPermissions: async () => ['sys: scope admin:org is not granted', 'sys: scope read:org is not granted'] });
    expect((await checkSystem(lacking)).problems).toHaveLength(2);
  });
});

describe('cachedSystemCheck', () => {
  it('asks the system once per ttl however often it is polled', async () => {
    let now = 0;
    const c = connector();
    const check = cachedSystemCheck(c, 60_000, () => now);
    await Promise.all([check(), check(), check()]);
    await check();
    expect(c.checks).toBe(1);
    now = 60_001;
    await check();
    expect(c.checks).toBe(2);
  });
});
