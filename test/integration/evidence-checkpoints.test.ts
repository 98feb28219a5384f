import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database';
import { parseCheckpoint } from '../../src/evidence/checkpoints/checkpoint';
import { startCheckpointPublisher } from '../../src/evidence/checkpoints/publisher';
import { publicKeyPem, type SigningKey } from '../../src/evidence/checkpoints/signing-key';
import { checkpointFileName, directorySink, httpSink } from '../../src/evidence/checkpoints/sinks';
import { EvidenceStore } from '../../src/evidence/store';
import { runEvidenceVerify } from '../../src/evidence/verify-cli';
import { openSharedTestDatabases, openTestDatabase, openTestDatabaseOn, testEngines } from '../harness/db';
import { parseConfigFile, parseEnv } from '../../src/config/load';
import { sinksFor } from '../../src/evidence/checkpoints/from-config';
import { checkpointStatus } from '../../src/evidence/checkpoints/status';
import { SlackApi } from '../../src/slack/client';
import { slackBotToken } from '../harness/slack';
import { startSlackPeer } from '../peers/slack-peer';
import { asOwner, rewriteWithRecomputedHashes } from '../harness/evidence-tamper';
import { newSigningKey, newSigningKeyFile } from '../harness/signing-key';

const log = pino({ level: 'silent' });

async function seed(store: EvidenceStore, count: number, prefix = 's'): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await store.append({ stepKey: `${prefix}-${i}`, employeeId: '42', hrSource: 'bamboohr', actorType: 'engine', actorId: 'jml-engine', action: 'sessions.kill', system: 'okta', occurredAt: new Date(Date.UTC(2026, 2, 1, 9, 0, i)).toISOString(), outcome: 'success', context: { n: i } });
  }
}

describe.each(testEngines)('evidence checkpoints (%s)', (engine) => {
  let db: Database;
  let store: EvidenceStore;
  let dir: string;
  let key: SigningKey;
  let keyFile: string;

  beforeEach(async () => {
    db = await openTestDatabaseOn(engine, 'ckpt');
    store = new EvidenceStore(db);
    dir = await mkdtemp(join(tmpdir(), 'jml-ckpt-'));
    ({ key, keyFile } = await newSigningKeyFile(dir));
  });

  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sinkDir = () => join(dir, 'sink');
  const verify = async (options: { publicKeys?: string[] } = {}) => {
    const lines: string[] = [];
    const code = await runEvidenceVerify(db, (l) => lines.push(l), { checkpoints: sinkDir(), publicKeys: options.publicKeys ?? [keyFile] });
    return { code, text: lines.join('\n') };
  };
  const publishOnce = async (on: Database = db) => {
    const publisher = startCheckpointPublisher({ db: on, key, sinks: [directorySink(sinkDir())], everyMs: 60_000, log });
    const signed = await publisher.round();
    await publisher.stop();
    return signed;
  };

  it('signs the head every interval when the chain grew, once per head, and the chain verifies against it', async () => {
    await seed(store, 3);
    const publisher = startCheckpointPublisher({ db, key, sinks: [directorySink(sinkDir())], everyMs: 200, log });
    const lines = async () => (await readFile(join(sinkDir(), checkpointFileName), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    await expect.poll(lines, { timeout: 5000 }).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 600));
    expect(await lines()).toHaveLength(1); // nothing written since: nothing signed
    await seed(store, 2, 'more');
    await expect.poll(lines, { timeout: 5000 }).toHaveLength(2);
    await publisher.stop();
    const [first, second] = (await lines()).map((l) => parseCheckpoint(l));
    expect(first).toMatchObject({ seq: 3, keyId: key.keyId });
    expect(second).toMatchObject({ seq: 5, keyId: key.keyId });

    const clean = await verify();
    expect(clean.text).toContain('checkpoints verified: 2 checkpoint(s) match the chain; latest seq 5');
    expect(clean.code).toBe(0);
    // The signing key's own public half works as well as the public key file.
    const lines2: string[] = [];
    expect(await runEvidenceVerify(db, (l) => lines2.push(l), { checkpoints: sinkDir(), signingKey: key })).toBe(0);
  });

  it('catches a truncated tail: rows after a checkpointed seq deleted', async () => {
    await seed(store, 6);
    expect((await publishOnce())?.seq).toBe(6);
    expect(await checkpointStatus(db, 6)).toMatchObject({ ok: true, latest: { seq: 6 } });
    await asOwner(db, 'DELETE FROM evidence_events WHERE seq > 4');
    // What GET /api/evidence/verify adds: the chain against the database's latest checkpoint.
    expect(await checkpointStatus(db, 4)).toMatchObject({ ok: false, problem: expect.stringMatching(/^truncated: the chain ends at seq 4 but .* covers seq 6$/) });
    const { code, text } = await verify();
    expect(text).toContain('evidence chain intact: 4 events verified'); // the chain alone cannot tell
    expect(text).toMatch(/checkpoint seq 6: truncated: the chain ends at seq 4 but the checkpoint signed .* covers seq 6: seq 5-6 are gone/);
    expect(code).toBe(1);
  });

  it('catches a rewritten chain whose hashes were recomputed', async () => {
    await seed(store, 6);
    await publishOnce();
    await rewriteWithRecomputedHashes(db, 3, (r) => ({ ...r, outcome: 'failure' }));
    expect(await checkpointStatus(db, 6)).toMatchObject({ ok: false, problem: expect.stringMatching(/^rewritten: the row at seq 6/) });
    const { code, text } = await verify();
    expect(text).toContain('evidence chain intact: 6 events verified');
    expect(text).toMatch(/checkpoint seq 6: rewritten: the row at seq 6 has hash .* the chain was rewritten at or before seq 6/);
    expect(code).toBe(1);
  });

  it('catches a forked chain: two signed checkpoints that disagree, one not on this chain', async () => {
    await seed(store, 4);
    await publishOnce();
    const other = await openTestDatabaseOn(engine, 'fork');
    try {
      await seed(new EvidenceStore(other), 4, 'other');
      await publishOnce(other);
    } finally {
      await other.close();
    }
    const { code, text } = await verify();
    expect(text).toMatch(/checkpoint seq 4: forked: 2 signed checkpoints disagree on the hash at seq 4/);
    expect(text).toMatch(/checkpoint seq 4: rewritten: the row at seq 4 has hash/);
    expect(code).toBe(1);
  });

  it('refuses an altered checkpoint and one signed by a key it was not given', async () => {
    await seed(store, 2);
    await publishOnce();
    const file = join(sinkDir(), checkpointFileName);
    const line = (await readFile(file, 'utf8')).trim();
    const forged = { ...(JSON.parse(line) as Record<string, unknown>), seq: 1 };
    await writeFile(file, `${JSON.stringify(forged)}\n`);
    const altered = await verify();
    expect(altered.text).toMatch(/checkpoint seq 1: bad_signature: .*checkpoints\.jsonl:1: the signature does not verify/);
    expect(altered.text).toContain('no checkpoint with a valid signature was given');
    expect(altered.code).toBe(1);

    await writeFile(file, `${line}\n`);
    const stranger = join(dir, 'stranger.pem');
    await writeFile(stranger, publicKeyPem(newSigningKey()));
    const unknown = await verify({ publicKeys: [stranger] });
    expect(unknown.text).toMatch(/checkpoint seq 2: unknown_key: .* no public key with that ID was given/);
    expect(unknown.code).toBe(1);
  });

  it('keeps publishing to the other sinks while one fails, and catches the failing one up', async () => {
    await seed(store, 2);
    const received: string[] = [];
    let failuresLeft = 3;
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failuresLeft-- > 0) {
          res.statusCode = 503;
          return res.end();
        }
        expect(req.headers.authorization).toBe('Bearer sink-token-0123456789');
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkpoints`;
    const blocked = join(dir, 'not-a-dir');
    await writeFile(blocked, 'a file where a directory should be');
    const publisher = startCheckpointPublisher({
      db,
      key,
      sinks: [directorySink(blocked), httpSink({ url, token: 'sink-token-0123456789', attempts: 2, backoffMs: 10 }), directorySink(sinkDir())],
      everyMs: 60_000,
      log,
    });
    try {
      await publisher.round(); // http: two 503s; the good directory gets it anyway
      expect(received).toHaveLength(0);
      expect((await readFile(join(sinkDir(), checkpointFileName), 'utf8')).trim().split('\n')).toHaveLength(1);
      await seed(store, 1, 'later');
      await publisher.round(); // http: one more 503, then both checkpoints in order
      expect(received.map((b) => (JSON.parse(b) as { seq: number }).seq)).toEqual([2, 3]);
    } finally {
      await publisher.stop();
      await new Promise((r) => server.close(r));
    }
  });
});

describe.each(testEngines)('checkpoint delivery across worker restarts (%s)', (engine) => {
  it('a sink that was down while its worker stopped gets what it missed from the next worker, in order, once', async () => {
    const db = await openTestDatabaseOn(engine, 'ckpt_restart');
    const dir = await mkdtemp(join(tmpdir(), 'jml-ckpt-restart-'));
    const key = newSigningKey();
    const received: number[] = [];
    let up = false;
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (!up) {
          res.statusCode = 503;
          return res.end();
        }
        received.push((JSON.parse(body) as { seq: number }).seq);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkpoints`;
    const sinks = () => [httpSink({ url, attempts: 1 }), directorySink(dir)];
    try {
      const store = new EvidenceStore(db);
      const first = startCheckpointPublisher({ db, key, sinks: sinks(), everyMs: 60_000, log });
      await seed(store, 2, 'a');
      await first.round();
      await seed(store, 1, 'b');
      await first.round();
      await first.stop(); // the worker goes, with the http sink two checkpoints behind
      expect(received).toEqual([]);

      up = true;
      const second = startCheckpointPublisher({ db, key, sinks: sinks(), everyMs: 60_000, log });
      await second.round();
      expect(received).toEqual([2, 3]);
      await seed(store, 1, 'c');
      await second.round();
      await second.stop();
      expect(received).toEqual([2, 3, 4]);
      // The directory sink had each one once, from whichever worker was running.
      const seqs = (await readFile(join(dir, checkpointFileName), 'utf8')).trim().split('\n').map((l) => (parseCheckpoint(l) as { seq: number }).seq);
      expect(seqs).toEqual([2, 3, 4]);
      const rows = await db.query<{ sink: string; seq: string; leased_by: string | null }>('SELECT sink, seq, leased_by FROM evidence_checkpoint_deliveries ORDER BY sink');
      expect(rows.rows.map((r) => [r.sink.split(' ')[0], Number(r.seq), r.leased_by])).toEqual([['directory', 4, null], ['http', 4, null]]);
      expect(rows.rows.map((r) => r.sink).join(' ')).not.toContain('/checkpoints');
    } finally {
      await new Promise((r) => server.close(r));
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a sink configured later starts with the next checkpoint, not the whole history', async () => {
    const db = await openTestDatabaseOn(engine, 'ckpt_new_sink');
    const dir = await mkdtemp(join(tmpdir(), 'jml-ckpt-new-'));
    const key = newSigningKey();
    try {
      const store = new EvidenceStore(db);
      const before = startCheckpointPublisher({ db, key, sinks: [directorySink(join(dir, 'old'))], everyMs: 60_000, log });
      await seed(store, 2, 'a');
      await before.stop();
      const after = startCheckpointPublisher({ db, key, sinks: [directorySink(join(dir, 'old')), directorySink(join(dir, 'new'))], everyMs: 60_000, log });
      await seed(store, 1, 'b');
      await after.stop();
      const seqsIn = async (d: string) => (await readFile(join(dir, d, checkpointFileName), 'utf8')).trim().split('\n').map((l) => (parseCheckpoint(l) as { seq: number }).seq);
      expect(await seqsIn('old')).toEqual([2, 3]);
      expect(await seqsIn('new')).toEqual([3]);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(process.env.DATABASE_URL)('evidence checkpoints from several worker processes', () => {
  it('signs each new head once, whichever worker gets there first', async () => {
    const dbs = await openSharedTestDatabases('ckpt_many', 3);
    const dir = await mkdtemp(join(tmpdir(), 'jml-ckpt-many-'));
    const key = newSigningKey();
    const publishers = dbs.map((db) => startCheckpointPublisher({ db, key, sinks: [directorySink(dir)], everyMs: 60_000, log }));
    try {
      const store = new EvidenceStore(dbs[0]!);
      for (let round = 1; round <= 3; round++) {
        await seed(store, 2, `r${round}`);
        await Promise.all(publishers.map((p) => p.round()));
        await Promise.all(publishers.map((p) => p.round()));
      }
      const seqs = (await readFile(join(dir, checkpointFileName), 'utf8')).trim().split('\n').map((l) => (parseCheckpoint(l) as { seq: number }).seq);
      expect(seqs).toEqual([2, 4, 6]);
    } finally {
      for (const p of publishers) await p.stop();
      for (const db of dbs) await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the Slack checkpoint sink', () => {
  it('posts each checkpoint to the security channel through the Slack client, catching up after a failure', async () => {
    const peer = await startSlackPeer({ token: slackBotToken });
    const db = await openTestDatabase('ckpt_slack');
    try {
      const file = parseConfigFile('sla: { securityChannel: "#sec-alerts" }\nevidence: { checkpointEvery: 200ms, sinks: [{ type: slack }] }', 'jml.config.yaml');
      const config = { env: parseEnv({}), file, secrets: {} };
      const slack = new SlackApi({ token: slackBotToken, apiUrl: peer.url });
      const key = newSigningKey();
      const publisher = startCheckpointPublisher({ db, key, sinks: sinksFor(config, slack), everyMs: 60_000, log });
      const store = new EvidenceStore(db);
      await seed(store, 1);
      peer.failNext('chat.postMessage', 'internal_error');
      await publisher.round();
      expect(peer.messages()).toHaveLength(0);
      await seed(store, 1, 'b');
      await publisher.round();
      await publisher.stop();
      const posted = peer.messages();
      expect(posted.map((m) => m.channel)).toEqual(['#sec-alerts', '#sec-alerts']);
      expect(posted[0]?.text).toMatch(new RegExp(`^Evidence checkpoint: seq 1, hash [0-9a-f]{64}, signed .* by ${key.keyId}$`));
      expect(posted[1]?.text).toContain('seq 2,');
      expect(() => sinksFor(config, undefined)).toThrow('evidence.sinks.0: a slack sink needs SLACK_BOT_TOKEN');
    } finally {
      await db.close();
      await peer.close();
    }
  });
});
