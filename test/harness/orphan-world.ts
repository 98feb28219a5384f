/**
 * A large directory for orphan reconciliation at scale: `accounts` accounts in the Okta peer and
 * in a SCIM server, HR history for the workers behind them (every tenth has left, one in a
 * hundred accounts belongs to nobody HR knows, one in fifty is disabled), and the orphans each
 * system must report. Shared by the scale test and `npm run bench -- orphans`.
 */
import type { Queryable } from '../../src/db/database';
import type { HrEvent } from '../../src/hris/hr-event';
import { hrEvent, storeHrHistory } from './orphans';
import { startOktaPeer, type OktaPeer } from '../peers/okta-peer';
import { startScimPeer, type ScimPeer } from '../peers/scim-peer';

export interface OrphanWorld {
  okta: OktaPeer;
  scim: ScimPeer;
  oktaToken: string;
  scimToken: string;
  /** Orphans each system holds: leavers' active accounts and accounts HR never knew. */
  expected: { left: number; unknown: number };
  hrEvents: number;
  close(): Promise<void>;
}

export async function startOrphanWorld(db: Queryable, accounts: number): Promise<OrphanWorld> {
  const oktaToken = 'okta-orphan-scale';
  const scimToken = 'scim-orphan-scale';
  const okta = await startOktaPeer({ token: oktaToken, rateLimitPerMinute: 1_000_000_000 });
  const scim = await startScimPeer({ token: scimToken });
  const events: HrEvent[] = [];
  const expected = { left: 0, unknown: 0 };
  const longAgo = new Date(Date.now() - 90 * 86_400_000).toISOString();
  for (let i = 0; i < accounts; i++) {
    const login = `worker.${i}@acme.test`;
    const unknown = i % 100 === 99;
    const disabled = i % 50 === 7;
    const left = !unknown && i % 10 === 3;
    if (!unknown) events.push(hrEvent(String(200_000 + i), 'hire', login, { receivedAt: longAgo }));
    if (left) events.push(hrEvent(String(200_000 + i), 'terminate', undefined, { receivedAt: longAgo, immediate: true }));
    okta.seedUser({ login, status: disabled ? 'SUSPENDED' : 'ACTIVE' });
    scim.seedUser({ userName: login, active: !disabled });
    if (disabled) continue;
    if (unknown) expected.unknown += 1;
    else if (left) expected.left += 1;
  }
  await storeHrHistory(db, events);
  return {
    okta,
    scim,
    oktaToken,
    scimToken,
    expected,
    hrEvents: events.length,
    async close() {
      await okta.close();
      await scim.close();
    },
  };
}
