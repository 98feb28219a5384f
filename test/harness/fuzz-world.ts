import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { start as startBambooPeer, type BambooPeer } from '../peers/bamboohr-peer';
import { startSlackPeer, type SlackPeer } from '../peers/slack-peer';
import { start as startWorkdayPeer, type WorkdayPeer } from '../peers/workday-peer';
import { hrisEnv } from './hris-env';
import { closeFuzzClient, send } from './fuzz-http';
import { slackBotToken, slackSigningSecret } from './slack';
import { startTargets, type Targets } from './targets';
import { startTestEngine, type TestEngine } from './test-engine';

export const workdaySecret = 'workday-webhook-secret-for-fuzzing';
const workdayUser = 'isu_jml@acme';
const workdayPassword = 'workday-isu-password-fuzz';
const bambooKey = 'bamboohr-api-key-for-fuzzing';

/** A Workday worker whose termination transaction Workday confirms (IDs 46xx are this suite's). */
export const confirmedWorkday = { workerId: '4601', transactionLogWid: 'a6010000000000000000000000004601', businessProcessType: 'Terminate Employee' } as const;

/**
 * Every door of the engine open to fuzzing: the real engine (API + worker) with BambooHR and
 * Workday webhook secrets, Slack's signing secret, payload encryption (the codec routes) and
 * API tokens; the BambooHR, Workday and Slack API peers it reads from; the Okta and SCIM peers
 * it would write to. The policy grants nothing and no reconciliation poll runs, so the only way
 * anything is stored or started is through a door.
 */
export interface FuzzWorld {
  engine: TestEngine;
  targets: Targets;
  bamboo: BambooPeer;
  workday: WorkdayPeer;
  slack: SlackPeer;
  /** What the doors could have changed: inbox, approvals and evidence rows, target writes. */
  snapshot(): Promise<Snapshot>;
  /** Workflows ever started on the engine's task queue. */
  workflowCount(): Promise<number>;
  /** GET /healthz answers 200. */
  expectHealthy(): Promise<void>;
  close(): Promise<void>;
}

export interface Snapshot {
  inbox: number;
  approvals: number;
  /** Approvals still pending: a decision changes no count, only this. */
  pending: number;
  evidence: number;
  targetWrites: number;
}

export async function startFuzzWorld(): Promise<FuzzWorld> {
  const targets = await startTargets();
  const bamboo = await startBambooPeer({ apiKey: bambooKey });
  bamboo.setEmployee('4601', { workEmail: 'w4601@fuzz.test', firstName: 'Fuzz', lastName: 'Case', status: 'Active', hireDate: '2020-01-06' });
  const workday = await startWorkdayPeer({ username: workdayUser, password: workdayPassword });
  workday.setWorker({
    workerId: confirmedWorkday.workerId,
    workEmail: 'w4601@fuzz.test',
    active: false,
    hireDate: '2020-01-06',
    terminationDate: '2026-01-30',
    transactions: [{ wid: confirmedWorkday.transactionLogWid, type: confirmedWorkday.businessProcessType, effectiveMoment: '2026-01-30T00:00:00.000Z', enteredMoment: '2026-01-29T10:00:00.000Z' }],
  });
  const slack = await startSlackPeer({ token: slackBotToken, users: [{ id: 'U0FUZZ', email: 'approver@fuzz.test', name: 'approver' }] });
  const engine = await startTestEngine({
    yaml: `${targets.systemsYaml}
hris:
  bamboohr: { pollEvery: 0s }
  workday: { pollEvery: 0s }
`,
    env: {
      ...hrisEnv(bamboo, workday, { bambooKey, workdaySecret, workdayUser, workdayPassword }),
      SLACK_BOT_TOKEN: slackBotToken,
      SLACK_SIGNING_SECRET: slackSigningSecret,
      SLACK_API_URL: slack.url,
      JML_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    },
    secrets: targets.secrets,
  });
  const db = engine.db;
  return {
    engine,
    targets,
    bamboo,
    workday,
    slack,
    async snapshot() {
      const { rows } = await db.query<{ inbox: string; approvals: string; pending: string; evidence: string }>(
        `SELECT (SELECT count(*) FROM hr_inbox) AS inbox, (SELECT count(*) FROM approvals) AS approvals,
                (SELECT count(*) FROM approvals WHERE status = 'pending') AS pending, (SELECT count(*) FROM evidence_events) AS evidence`,
      );
      const row = rows[0]!;
      return { inbox: Number(row.inbox), approvals: Number(row.approvals), pending: Number(row.pending), evidence: Number(row.evidence), targetWrites: targets.writeCount() };
    },
    async workflowCount() {
      const { count } = await engine.client.workflow.count(`TaskQueue = "${engine.taskQueue}"`);
      return count;
    },
    async expectHealthy() {
      const res = await send(engine.url, { method: 'GET', path: '/healthz' });
      expect(res.status, res.text).toBe(200);
    },
    async close() {
      closeFuzzClient();
      await engine.close();
      await slack.close();
      await workday.close();
      await bamboo.close();
      await targets.close();
    },
  };
}
