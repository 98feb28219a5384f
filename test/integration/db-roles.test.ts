import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../src/approvals/store';
import { parseConfigFile, parseEnv } from '../../src/config/load';
import { openDatabase, type Database } from '../../src/db/database';
import { migrateAsOwner, type OwnerMigration } from '../../src/db/owner-migrate';
import { evidenceTamperRights } from '../../src/db/role-check';
import { pruneEvidence, PruneNotOwner } from '../../src/evidence/prune';
import { EvidenceStore } from '../../src/evidence/store';
import { Inbox } from '../../src/intake/inbox';
import { HoldStore } from '../../src/leaver/hold-store';
import { createLogger } from '../../src/log';
import { OrphanStore } from '../../src/orphans/store';
import { WatermarkStore } from '../../src/reconcile/watermarks';
import { openProcessDatabase } from '../../src/runtime/database-setup';
import { startWorkerCensus } from '../../src/runtime/worker-census';
import type { LeaverResult } from '../../workflows/leaver';
import { bambooSecret, postBambooWebhook, terminationDelivery } from '../harness/bamboohr';
import { createTestRoles, type TestRoles } from '../harness/db-roles';
import { startTargets } from '../harness/targets';
import { startTestEngine } from '../harness/test-engine';
import { resultOf } from '../harness/workflows';

/**
 * Production's two roles on real Postgres: the owner migrates, the app role may only read and
 * append evidence. PGlite has no roles (one embedded process owns everything), so these run only
 * with DATABASE_URL set.
 */
const onPostgres = Boolean(process.env.DATABASE_URL);
const partitionName = (at: Date) => `evidence_events_${at.toISOString().slice(0, 7).replace('-', '_')}`;
const thisMonth = partitionName(new Date());

describe.runIf(onPostgres)('database roles on Postgres (skipped on PGlite: it has no roles)', () => {
  let roles: TestRoles;
  let migration: OwnerMigration;
  let app: Database;
  let owner: Database;
  let evidence: EvidenceStore;

  beforeAll(async () => {
    roles = await createTestRoles('roles');
    migration = await migrateAsOwner({ ownerUrl: roles.ownerUrl, appUrl: roles.appUrl });
    app = await openDatabase({ url: roles.appUrl, poolSize: 4 });
    owner = await openDatabase({ url: roles.ownerUrl, poolSize: 2 });
    evidence = new EvidenceStore(app);
    for (const n of [1, 2, 3]) {
      await evidence.append({
        stepKey: `leaver-bamboohr-900-x:step-${n}`,
        employeeId: '900',
        hrSource: 'bamboohr',
        actorType: 'engine',
        actorId: 'jml-engine',
        action: 'leaver.sessions_killed',
        system: 'okta',
        occurredAt: new Date().toISOString(),
        outcome: 'success',
        context: { workflowId: 'leaver-bamboohr-900-x' },
      });
    }
  });

  afterAll(async () => {
    await app?.close();
    await owner?.close();
    await roles?.drop();
  });

  it('jml migrate gives the app role SELECT and INSERT on evidence, and nothing that changes it', async () => {
    expect(migration.applied.length).toBeGreaterThan(0);
    expect(migration.appRoleProblems).toEqual([]);
    expect(migration.grants?.role).toBe(roles.app);
    expect(migration.grants?.tables.find((t) => t.table === 'evidence_events')?.privileges).toEqual(['SELECT', 'INSERT']);
    expect(migration.grants?.tables.find((t) => t.table === 'jml_migrations')?.privileges).toEqual(['SELECT']);
    const held = await owner.query<{ privilege: string; held: boolean }>(
      `SELECT p AS privilege, has_table_privilege($1, 'evidence_events', p) AS held
         FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p`,
      [roles.app],
    );
    expect(Object.fromEntries(held.rows.map((r) => [r.privilege, r.held]))).toEqual({
      SELECT: true, INSERT: true, UPDATE: false, DELETE: false, TRUNCATE: false, REFERENCES: false, TRIGGER: false,
    });
    expect(await evidenceTamperRights(app)).toEqual([]);
  });

  const refused: [string, (schema: string, self: string, other: string) => string][] = [
    ['UPDATE a row', () => `UPDATE evidence_events SET outcome = 'failure' WHERE seq = 2`],
    ['DELETE the tail', () => `DELETE FROM evidence_events WHERE seq = 3`],
    ['DELETE everything', () => `DELETE FROM evidence_events`],
    ['TRUNCATE', () => `TRUNCATE evidence_events`],
    ['ALTER TABLE ... DISABLE TRIGGER USER', () => `ALTER TABLE evidence_events DISABLE TRIGGER USER`],
    ['ALTER TABLE ... DISABLE TRIGGER one', () => `ALTER TABLE evidence_events DISABLE TRIGGER evidence_events_no_delete`],
    ['ALTER TABLE ... ADD COLUMN', () => `ALTER TABLE evidence_events ADD COLUMN note text`],
    ['ALTER TABLE ... DROP CONSTRAINT', () => `ALTER TABLE evidence_events DROP CONSTRAINT evidence_events_outcome_check`],
    ['ALTER TABLE ... RENAME', () => `ALTER TABLE evidence_events RENAME TO evidence_events_old`],
    ['ALTER TABLE ... OWNER TO itself', (_s, self) => `ALTER TABLE evidence_events OWNER TO ${self}`],
    ['DROP TABLE', () => `DROP TABLE evidence_events`],
    ['DROP TRIGGER', () => `DROP TRIGGER evidence_events_no_update ON evidence_events`],
    ['CREATE TRIGGER', () => `CREATE TRIGGER evidence_events_sneak BEFORE INSERT ON evidence_events FOR EACH ROW EXECUTE FUNCTION evidence_events_refuse_change()`],
    ['CREATE RULE', () => `CREATE RULE evidence_events_skip AS ON DELETE TO evidence_events DO INSTEAD NOTHING`],
    ['replace the refusing trigger function', () => `CREATE OR REPLACE FUNCTION evidence_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END; $$`],
    ['DROP the refusing trigger function', () => `DROP FUNCTION evidence_events_refuse_change() CASCADE`],
    ['DROP SCHEMA ... CASCADE', (schema) => `DROP SCHEMA ${schema} CASCADE`],
    ['CREATE TABLE beside it', () => `CREATE TABLE evidence_shadow (seq bigint)`],
    ['switch triggers off for the session', () => `SET session_replication_role = replica`],
    ['become the owner role', (_s, _self, other) => `SET ROLE ${other}`],
    ['join the owner role', (_s, self, other) => `GRANT ${other} TO ${self}`],
    ['make itself a superuser', (_s, self) => `ALTER ROLE ${self} SUPERUSER`],
    ['give itself CREATEROLE', (_s, self) => `ALTER ROLE ${self} CREATEROLE`],
    // Each month of evidence is a partition: reachable only through evidence_events.
    ['TRUNCATE a month', () => `TRUNCATE ${thisMonth}`],
    ['DELETE from a month directly', () => `DELETE FROM ${thisMonth}`],
    ['UPDATE a month directly', () => `UPDATE ${thisMonth} SET outcome = 'failure'`],
    ['read a month directly', () => `SELECT count(*) FROM ${thisMonth}`],
    ['DROP a month', () => `DROP TABLE ${thisMonth}`],
    ['DETACH a month', () => `ALTER TABLE evidence_events DETACH PARTITION ${thisMonth}`],
    ['make the partition of any month it likes', () => `SELECT evidence_events_add_partitions(now() - interval '2 years', 1)`],
    ['write a record of removal past retention', () => `INSERT INTO evidence_pruned (partition, kept_from, rows, retention) VALUES ('x', now(), 0, '1 day')`],
  ];

  it.each(refused)('the app role cannot %s: permission denied', async (_what, sql) => {
    await expect(app.query(sql(roles.schema, roles.app, roles.owner))).rejects.toMatchObject({ code: '42501' });
  });

  it('the app role may make the coming months\' partitions, and holds nothing on them', async () => {
    const next = partitionName(new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1)));
    await owner.query(`DROP TABLE ${next}`);
    const made = await app.query<{ made: number }>('SELECT evidence_events_add_upcoming_partitions() AS made');
    expect(made.rows[0]!.made).toBe(1);
    const held = await owner.query<{ owner: string; any: boolean }>(
      `SELECT pg_get_userbyid(relowner) AS owner,
              has_table_privilege($1, oid, 'SELECT') OR has_table_privilege($1, oid, 'INSERT') OR has_table_privilege($1, oid, 'TRUNCATE') AS any
         FROM pg_class WHERE oid = $2::regclass`,
      [roles.app, next],
    );
    expect(held.rows[0]).toEqual({ owner: roles.owner, any: false });
    await expect(app.query(`TRUNCATE ${next}`)).rejects.toMatchObject({ code: '42501' });
  });

  it('a GRANT by the app role grants nothing, to itself or to anyone', async () => {
    // Postgres answers a GRANT without grant option with a warning, not an error: what counts is that nothing changed.
    for (const sql of [
      `GRANT UPDATE, DELETE, TRUNCATE, TRIGGER ON evidence_events TO ${roles.app}`,
      `GRANT ALL ON evidence_events TO ${roles.app}`,
      `GRANT SELECT, INSERT ON evidence_events TO PUBLIC`,
      `GRANT ALL ON evidence_events TO ${roles.owner}`,
    ]) {
      await app.query(sql).catch((err: { code?: string }) => expect(err.code).toBe('42501'));
    }
    const acl = await owner.query<{ acl: string[] }>(`SELECT relacl::text[] AS acl FROM pg_class WHERE oid = 'evidence_events'::regclass`);
    expect(acl.rows[0]!.acl.filter((entry) => !entry.startsWith(`${roles.owner}=`)).sort()).toEqual([`${roles.app}=ar/${roles.owner}`]);
    expect(await evidenceTamperRights(app)).toEqual([]);
  });

  it('after all of that the chain is whole, and the app role still appends and verifies through the store', async () => {
    const record = await evidence.append({
      stepKey: 'leaver-bamboohr-900-x:after',
      employeeId: '900',
      hrSource: 'bamboohr',
      actorType: 'engine',
      actorId: 'jml-engine',
      action: 'leaver.completed',
      occurredAt: new Date().toISOString(),
      outcome: 'success',
      context: {},
    });
    expect(record.seq).toBe(4);
    expect((await evidence.forEmployee('900')).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(await evidence.verify()).toMatchObject({ ok: true, checked: 4 });
  });

  it('the app role uses every other table as the engine does: inbox, approvals, watermarks, holds, orphans, census', async () => {
    const inbox = new Inbox(app);
    const [stored] = await inbox.record([
      {
        eventId: 'bamboohr:901:roles',
        source: 'bamboohr',
        employeeId: '901',
        kind: 'change',
        immediate: false,
        receivedAt: new Date().toISOString(),
        changedFields: ['department'],
        worker: { department: 'Sales' },
        via: 'webhook',
      },
    ]);
    expect(stored).toBeDefined();
    expect(await inbox.claim('roles-test', 30_000)).toMatchObject({ eventId: 'bamboohr:901:roles' });

    const approvals = new ApprovalStore(app);
    const at = new Date();
    const asked = await approvals.request({
      approvalId: 'joiner-bamboohr-902-ev1:aws:group:prod-admin',
      workflowId: 'joiner-bamboohr-902-ev1',
      employeeId: '902',
      hrSource: 'bamboohr',
      system: 'aws',
      entitlement: 'group:prod-admin',
      rules: ['rules[1]'],
      approvers: [],
      requestedAt: at.toISOString(),
      expiresAt: new Date(at.getTime() + 3_600_000).toISOString(),
    });
    expect(await approvals.decide(asked.approvalId, { status: 'approved', decidedBy: 'U123', decidedAt: new Date().toISOString() })).toMatchObject({ status: 'approved' });

    const watermarks = new WatermarkStore(app);
    await watermarks.advance('bamboohr', at, 2);
    await watermarks.advance('bamboohr', new Date(at.getTime() + 1000), 1);
    expect((await watermarks.get('bamboohr'))?.watermark).toBe(new Date(at.getTime() + 1000).toISOString());

    const holds = new HoldStore(app);
    const settings = { threshold: { count: 1 }, windowMs: 3_600_000, holdSessionKills: false, remindEveryMs: 0, escalateAfterMs: 0, deciders: [] };
    const arrival = (n: number) => ({ workflowId: `leaver-bamboohr-91${n}-x`, hrSource: 'bamboohr', employeeId: `91${n}`, hrEventId: `ev-${n}`, at: new Date() });
    await holds.admit(arrival(1), settings);
    const held = await holds.admit(arrival(2), settings);
    expect(held).toMatchObject({ opened: true });
    await holds.decide(held.holdId!, { decision: 'release', decidedBy: 'api:admin', decidedAt: new Date().toISOString() });

    const orphans = new OrphanStore(app);
    await orphans.startRun('roles-run', 'okta', at);
    await orphans.recordOrphans('roles-run', 'okta', at, [
      { accountId: '00u9', login: 'gone@acme.test', hrStatus: 'terminated', reason: 'left', hrSource: 'bamboohr', employeeId: '903', orphanedSince: at.toISOString() },
    ]);
    await orphans.resolveUnseen('roles-run-2', 'okta', new Date());
    await orphans.finishRun({ runId: 'roles-run', system: 'okta', status: 'succeeded', finishedAt: new Date().toISOString(), accounts: 1, orphans: 1, newOrphans: 1, resolved: 0 });
    expect(await orphans.runs('roles-run')).toHaveLength(1);

    const census = startWorkerCensus({ db: app, shared: [], log: createLogger('silent'), everyMs: 50 });
    await new Promise((r) => setTimeout(r, 200));
    expect((await app.query<{ n: string }>('SELECT count(*) AS n FROM worker_census')).rows[0]!.n).toBe('1');
    await census.stop();
    expect((await app.query<{ n: string }>('SELECT count(*) AS n FROM worker_census')).rows[0]!.n).toBe('0');
  });

  it('a whole leaver runs through the real engine connected as the app role', { timeout: 120_000 }, async () => {
    const targets = await startTargets();
    const engine = await startTestEngine({
      yaml: `${targets.systemsYaml}\nsla: { leaverSessionKill: 60s, leaverFullRevoke: 15m }\nleaver: { massTermination: { threshold: 25, window: 1h } }\n`,
      env: { BAMBOOHR_WEBHOOK_SECRET: bambooSecret },
      secrets: targets.secrets,
      db: app,
    });
    try {
      const login = 'roles.leaver@acme.test';
      targets.seedWorker(login);
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const res = await postBambooWebhook(engine.url, terminationDelivery('904', login, yesterday));
      expect(res.status).toBe(202);
      const leaverId = (res.body.events as { workflowIds: string[] }[])[0]!.workflowIds.find((w) => w.startsWith('leaver-'))!;
      const result = await resultOf<LeaverResult>(engine.client, leaverId);
      expect(result.sessions.every((s) => s.outcome === 'success')).toBe(true);
      expect(targets.okta.user(login)?.status).toBe('SUSPENDED');
      expect((await evidence.forEmployee('904')).some((e) => e.action === 'leaver.sessions_killed')).toBe(true);
      expect(await evidence.verify()).toMatchObject({ ok: true });
    } finally {
      await engine.close();
      await targets.close();
    }
  });

  it('migrate re-applies the grants every time: a privilege added by hand is taken back', async () => {
    await owner.query(`GRANT UPDATE, DELETE ON evidence_events TO ${roles.app}`);
    expect(await evidenceTamperRights(app)).toEqual(['holds UPDATE, DELETE on evidence_events']);
    const again = await migrateAsOwner({ ownerUrl: roles.ownerUrl, appUrl: roles.appUrl });
    expect(again.applied).toEqual([]);
    expect(again.appRoleProblems).toEqual([]);
    expect(await evidenceTamperRights(app)).toEqual([]);
  });

  it('the app role cannot prune a month past retention: it is told the owner must', async () => {
    const lastYear = new Date(Date.UTC(new Date().getUTCFullYear() - 1, 0, 1));
    await owner.query('SELECT evidence_events_add_partitions($1::timestamptz, 1)', [lastYear.toISOString()]);
    await expect(pruneEvidence(app, { retentionMs: 30 * 86_400_000 })).rejects.toThrow(PruneNotOwner);
    expect((await owner.query('SELECT to_regclass($1) IS NOT NULL AS there', [partitionName(lastYear)])).rows[0]).toEqual({ there: true });
    const asOwner = await pruneEvidence(owner, { retentionMs: 30 * 86_400_000 });
    expect(asOwner.pruned.map((m) => m.partition)).toEqual([partitionName(lastYear)]);
    expect((await owner.query('SELECT to_regclass($1) IS NOT NULL AS there', [partitionName(lastYear)])).rows[0]).toEqual({ there: false });
    expect(await evidence.verify()).toMatchObject({ ok: true });
  });

  it('a right granted by hand on one month is named, and migrate takes it back', async () => {
    await owner.query(`GRANT DELETE, TRUNCATE ON ${thisMonth} TO ${roles.app}`);
    expect(await evidenceTamperRights(app)).toEqual(['holds DELETE, TRUNCATE on evidence_events']);
    await migrateAsOwner({ ownerUrl: roles.ownerUrl, appUrl: roles.appUrl });
    expect(await evidenceTamperRights(app)).toEqual([]);
  });

  it('migrate refuses a table nobody decided the app role privileges for', async () => {
    await owner.query('CREATE TABLE unlisted_things (id int)');
    try {
      await expect(migrateAsOwner({ ownerUrl: roles.ownerUrl, appUrl: roles.appUrl })).rejects.toThrow(/no app-role privileges defined for table\(s\) unlisted_things/);
    } finally {
      await owner.query('DROP TABLE unlisted_things');
    }
  });

  it('names why a role could change evidence: owner, superuser, member of the owner, granted rights', async () => {
    expect(await evidenceTamperRights(owner)).toEqual(['owns evidence_events']);
    const admin = await openDatabase({ url: process.env.DATABASE_URL!, schema: roles.schema, poolSize: 1 });
    try {
      expect(await evidenceTamperRights(admin)).toContain('is a superuser');
      expect(await evidenceTamperRights(admin, roles.app)).toEqual([]);
      expect(await evidenceTamperRights(owner, roles.app)).toEqual([]);
    } finally {
      await admin.close();
    }
    const member = await createTestRoles('roles_member');
    const admin2 = await openDatabase({ url: process.env.DATABASE_URL!, poolSize: 1 });
    try {
      await admin2.query(`GRANT ${roles.owner} TO ${member.app}`);
      expect(await evidenceTamperRights(owner, member.app)).toEqual(['owns evidence_events']);
      await admin2.query(`REVOKE ${roles.owner} FROM ${member.app}`);
      await admin2.query(`ALTER ROLE ${member.app} CREATEROLE`);
      expect(await evidenceTamperRights(owner, member.app)).toEqual(['has CREATEROLE']);
    } finally {
      await admin2.close();
      await member.drop();
    }
  });

  it('jml server and jml worker refuse to start as the owner, and start as the app role', async () => {
    const config = (url: string) => ({ env: parseEnv({ DATABASE_URL: url }), file: parseConfigFile('', 'test.yaml'), secrets: {} });
    const log = createLogger('silent');
    for (const command of ['server', 'worker'] as const) {
      await expect(openProcessDatabase(config(roles.ownerUrl), log, command, '/nonexistent')).rejects.toThrow(
        new RegExp(`^env: DATABASE_URL: its role owns evidence_events, so it could change or remove evidence; jml ${command} runs as an app role`),
      );
      const ok = await openProcessDatabase(config(roles.appUrl), log, command, '/nonexistent');
      expect(ok.role).toBe('app');
      await ok.db.close();
    }
    const dev = await openProcessDatabase(config(roles.ownerUrl), log, 'dev', '/nonexistent');
    expect(dev.role).toBe('owner');
    await dev.db.close();
  });

  it('jml server refuses a schema behind the code, naming jml migrate', async () => {
    const last = (await owner.query<{ name: string }>('SELECT max(name) AS name FROM jml_migrations')).rows[0]!.name;
    await owner.query('DELETE FROM jml_migrations WHERE name = $1', [last]);
    try {
      const config = { env: parseEnv({ DATABASE_URL: roles.appUrl }), file: parseConfigFile('', 'test.yaml'), secrets: {} };
      await expect(openProcessDatabase(config, createLogger('silent'), 'server', '/nonexistent')).rejects.toThrow(
        `database: 1 migration(s) not applied (first ${last}): run \`jml migrate\``,
      );
    } finally {
      await owner.query('INSERT INTO jml_migrations (name) VALUES ($1)', [last]);
    }
  });
});
