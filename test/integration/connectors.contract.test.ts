/**
 * The contract every connector passes, built from the connector catalog: each descriptor names
 * the module of its pairs (the connector with the local peer that speaks its vendor's wire
 * format). Assertions read the peer's state (what the system now holds), not the connector's calls.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorCatalog } from '../../src/connectors/catalog';
import type { ConnectorDescriptor } from '../../src/connectors/descriptor';
import { ConnectorError, UnsupportedError } from '../../src/connectors/errors';
import { requireAbility } from '../../src/connectors/registry';
import { abilitiesOf, type AccountStatus, type Connector, type OptionalAbility } from '../../src/connectors/types';
import type { ContractPair, Pair } from '../harness/pairs/pair';

const DISABLED: ReadonlySet<AccountStatus> = new Set(['suspended', 'disabled', 'deprovisioned']);

const root = fileURLToPath(new URL('../..', import.meta.url));
const pairs: [string, ConnectorDescriptor, () => Promise<Pair>][] = [];
for (const descriptor of connectorCatalog as readonly ConnectorDescriptor[]) {
  const module = (await import(resolve(root, descriptor.contractPeer))) as { pairs: ContractPair[] };
  for (const pair of module.pairs) pairs.push([pair.name, descriptor, pair.start]);
}

it('every connector type in the catalog has at least one contract pair', () => {
  const covered = new Set(pairs.map(([, d]) => d.type));
  expect([...covered].sort()).toEqual(connectorCatalog.map((d) => d.type).sort());
});

describe.each(pairs)('connector contract: %s', (_name, descriptor, start) => {
  let pair: Pair;
  const can = (ability: OptionalAbility) => descriptor.abilities.includes(ability);
  const e = (name: string) => `${pair.kind}:${name}`;
  let seq = 0;
  const login = () => `worker.${++seq}.${Date.now()}@acme.test`;
  // What the engine passes to findAccount for a worker: the work email, or the HR field the system matches by.
  const lookup = (who: string) => pair.lookupOf?.(who) ?? who;
  const find = (who: string) => pair.connector.findAccount(lookup(who));

  beforeAll(async () => {
    pair = await start();
    for (const name of ['engineering', 'prod-admin', 'design']) pair.seedGroup(name);
  });
  afterAll(async () => {
    await pair?.close();
  });

  it('checks access with its credentials, and refuses a bad token', async () => {
    await expect(pair.connector.checkAccess()).resolves.toBeUndefined();
    await expect(pair.connectorWithToken(`${pair.token}-revoked`).checkAccess()).rejects.toMatchObject({ code: 'unauthorized', retryable: false });
  });

  it('finds an account by login, and answers null for an unknown one', async () => {
    const who = login();
    const id = pair.seedAccount(who);
    const account = await find(who);
    expect(account).toMatchObject(pair.lookupOf ? { id, login: lookup(who), status: 'active' } : { id, login: who, email: who, status: 'active' });
    expect(await find(`nobody.${Date.now()}@acme.test`)).toBeNull();
  });

  it('grants an entitlement, which the list and the system then show', async () => {
    const who = login();
    const id = pair.seedAccount(who);
    await pair.connector.grantEntitlement(id, e('engineering'));
    expect(await pair.connector.listEntitlements(id)).toEqual([e('engineering')]);
    expect(pair.groupsAt(who)).toEqual(['engineering']);
  });

  it('lists only what the account holds', async () => {
    const who = login();
    const id = pair.seedAccount(who, { groups: ['design', 'prod-admin'] });
    pair.seedAccount(login(), { groups: ['engineering'] });
    expect(await pair.connector.listEntitlements(id)).toEqual([e('design'), e('prod-admin')]);
  });

  it('granting a held entitlement again succeeds and changes nothing', async () => {
    const who = login();
    const id = pair.seedAccount(who);
    await pair.connector.grantEntitlement(id, e('prod-admin'));
    await pair.connector.grantEntitlement(id, e('prod-admin'));
    expect(await pair.connector.listEntitlements(id)).toEqual([e('prod-admin')]);
    expect(pair.groupsAt(who)).toEqual(['prod-admin']);
  });

  it('revokes an entitlement, which is then gone from the list and the system', async () => {
    const who = login();
    const id = pair.seedAccount(who, { groups: ['engineering', 'design'] });
    await pair.connector.revokeEntitlement(id, e('engineering'));
    expect(await pair.connector.listEntitlements(id)).toEqual([e('design')]);
    expect(pair.groupsAt(who)).toEqual(['design']);
  });

  it('revoking an entitlement not held succeeds; revoking a group that does not exist fails, naming it', async () => {
    const who = login();
    const id = pair.seedAccount(who, { groups: ['design'] });
    await pair.connector.revokeEntitlement(id, e('engineering'));
    await pair.connector.revokeEntitlement(id, e('engineering'));
    const missing = `deleted-${Date.now()}`;
    const error = await pair.connector.revokeEntitlement(id, e(missing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'bad_request' });
    expect((error as Error).message).toContain(missing);
    expect(pair.groupsAt(who)).toEqual(['design']);
  });

  it('lists every entitlement when they take more than one page', async () => {
    const who = login();
    const names = Array.from({ length: pair.pageSize * 2 + 1 }, (_, i) => `paged-${seq}-${i}`);
    for (const name of names) pair.seedGroup(name);
    const id = pair.seedAccount(who, { groups: names });
    expect(await pair.connector.listEntitlements(id)).toEqual(names.map((n) => e(n)).sort());
  });

  it('kills sessions where the system has them, and the system shows them ended', async () => {
    const who = login();
    const id = pair.seedAccount(who, { sessions: 3 });
    expect(pair.sessionsEnded(who)).toBe(false);
    if (!pair.killsSessions) {
      expect(pair.connector.killSessions).toBeUndefined();
      expect(() => requireAbility(pair.connector, 'killSessions')).toThrow(UnsupportedError);
      return;
    }
    await requireAbility(pair.connector, 'killSessions')(id);
    expect(pair.sessionsEnded(who)).toBe(true);
  });

  it('answers not_found for every operation on an account that was deleted', async () => {
    const who = login();
    const id = pair.seedAccount(who, { groups: ['design'] });
    pair.deleteAccount(who);
    const ops: [string, () => Promise<unknown>][] = [
      ['disableAccount', () => pair.connector.disableAccount(id)],
      ...(can('enableAccount') ? ([['enableAccount', () => requireAbility(pair.connector, 'enableAccount')(id)]] as [string, () => Promise<unknown>][]) : []),
      ['listEntitlements', () => pair.connector.listEntitlements(id)],
      ['grantEntitlement', () => pair.connector.grantEntitlement(id, e('engineering'))],
      ['revokeEntitlement', () => pair.connector.revokeEntitlement(id, e('design'))],
      ...(pair.killsSessions ? ([['killSessions', () => requireAbility(pair.connector, 'killSessions')(id)]] as [string, () => Promise<unknown>][]) : []),
    ];
    for (const [name, op] of ops) {
      const error = await op().then(() => 'resolved', (e: unknown) => e);
      expect(error, name).toBeInstanceOf(ConnectorError);
      expect(error, name).toMatchObject({ code: 'not_found' });
      expect((error as Error).message, name).not.toContain(who);
    }
    expect(await find(who)).toBeNull();
  });

  it('disables an account; a fresh read shows it disabled; disabling again succeeds', async () => {
    const who = login();
    const id = pair.seedAccount(who, { groups: ['engineering'] });
    await pair.connector.disableAccount(id);
    expect(pair.disabledAt(who)).toBe(true);
    expect(DISABLED.has((await find(who))!.status)).toBe(true);
    await pair.connector.disableAccount(id);
    expect(pair.disabledAt(who)).toBe(true);
  });

  it('disables an account that was never activated', async () => {
    const who = login();
    const id = pair.seedAccount(who, { pending: true });
    await pair.connector.disableAccount(id);
    expect(DISABLED.has((await find(who))!.status)).toBe(true);
  });

  it('disabling an account that does not exist is not_found, not success', async () => {
    await expect(pair.connector.disableAccount('00u-no-such-account')).rejects.toMatchObject({ code: 'not_found' });
  });

  it.runIf(can('enableAccount'))('enables a disabled account', async () => {
    const who = login();
    const id = pair.seedAccount(who, { disabled: true });
    await requireAbility(pair.connector, 'enableAccount')(id);
    expect(pair.disabledAt(who)).toBe(false);
    expect((await find(who))?.status).toBe('active');
  });

  it.runIf(can('createAccount'))('creates accounts, active or not, and refuses a duplicate login', async () => {
    const create = requireAbility(pair.connector, 'createAccount');
    const active = login();
    const made = await create({ login: active, email: active, firstName: 'Ada', lastName: 'Lovelace', active: true });
    expect(made).toMatchObject({ login: active, status: 'active' });
    expect((await find(active))?.id).toBe(made.id);

    const later = login();
    const pending = await create({ login: later, email: later, firstName: 'Alan', lastName: 'Turing', active: false });
    expect(pending.status).not.toBe('active');
    expect((await find(later))?.status).not.toBe('active');

    await expect(create({ login: active, email: active, firstName: 'Ada', lastName: 'L', active: true })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('declares its abilities; a missing one is an UnsupportedError', async () => {
    expect(abilitiesOf(pair.connector).sort()).toEqual([...descriptor.abilities].sort());
    expect(pair.killsSessions).toBe(can('killSessions'));
    const { killSessions: _omitted, ...withoutKill } = Object.fromEntries(
      (['findAccount', 'disableAccount', 'listEntitlements', 'grantEntitlement', 'revokeEntitlement', 'killSessions'] as const).map((m) => [m, pair.connector[m]]),
    );
    const limited = { id: pair.connector.id, type: pair.connector.type, location: pair.connector.location, ...withoutKill } as unknown as Connector;
    expect(() => requireAbility(limited, 'killSessions')).toThrow(UnsupportedError);

    const id = pair.seedAccount(login());
    const error = await pair.connector.grantEntitlement(id, 'nosuchkind:platform').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error).toMatchObject({ code: 'unsupported', system: pair.connector.id });
  });

  it.runIf(can('listAccounts'))('lists every account, page by page, and a failing page is an error', async () => {
    const seeded = Array.from({ length: pair.pageSize * 2 + 1 }, () => login());
    for (const who of seeded) pair.seedAccount(who);
    const list = requireAbility(pair.connector, 'listAccounts');
    const seen = new Map<string, string>();
    let pages = 0;
    for await (const page of list()) {
      pages++;
      for (const account of page) seen.set(account.login.toLowerCase(), account.status);
    }
    for (const who of seeded) expect(seen.get(lookup(who).toLowerCase()), who).toBe('active');
    expect(pages).toBeGreaterThan(2);

    const failing = async () => {
      let n = 0;
      for await (const _page of list()) if (++n === 1) pair.failNext(503);
    };
    await expect(failing()).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('reports missing permissions one line each, and none when all are granted', async () => {
    if (!pair.connector.checkPermissions) return expect(pair.lackingPermission).toBeUndefined();
    expect(await pair.connector.checkPermissions()).toEqual([]);
    const lacking = pair.lackingPermission?.();
    expect(lacking, 'a pair whose connector checks permissions shows one missing').toBeDefined();
    const problems = await lacking!.connector.checkPermissions!();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toContain(lacking!.missing);
    for (const line of problems) expect(line).not.toContain('\n');
  });

  it('honours a 429: waits the advertised time, retries, and succeeds', async () => {
    const who = login();
    pair.seedAccount(who);
    const before = pair.requests().length;
    pair.rateLimitNext(1);
    expect((await find(who))?.login).toBe(lookup(who));
    const seen = pair.requests().slice(before);
    const limited = seen.findIndex((r) => r.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    const retry = seen[limited + 1];
    expect(retry).toBeDefined();
    expect(retry!.at).toBeGreaterThanOrEqual(seen[limited]!.retryAt!);
  });

  it('answers unauthorized for a bad token, without the token in the message', async () => {
    const secret = `wrong-${pair.token}-x9`;
    const error = await pair.connectorWithToken(secret).findAccount(lookup(login())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
    expect((error as Error).message).not.toContain(secret);
    expect((error as Error).message).not.toContain(pair.token);
  });

  it('answers unavailable (retryable) when the system fails', async () => {
    pair.failNext(503);
    const error = await find(login()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', status: 503, retryable: true });
  });

  it('refuses to grant a group that does not exist, naming it', async () => {
    const id = pair.seedAccount(login());
    const writesBefore = pair.writes().length;
    const error = await pair.connector.grantEntitlement(id, e('no-such-team')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bad_request', retryable: false });
    expect((error as Error).message).toContain('no-such-team');
    expect(pair.writes().length).toBe(writesBefore);
  });
});
